import HTTP
import ServiceKit
import Synchronization

/// Per-failure-type statuses registered with ``Gateway/mapFailures(_:to:)``, shared by every route.
final class FailureStatuses: Sendable {
    typealias Mapping = @Sendable (any ServiceFailure) -> HTTPStatus?

    private let mappings = Mutex<[ObjectIdentifier: Mapping]>([:])

    func add<Failure: ServiceFailure>(_ type: Failure.Type, _ status: @escaping @Sendable (Failure) -> HTTPStatus) {
        mappings.withLock { $0[ObjectIdentifier(type)] = { failure in (failure as? Failure).map(status) } }
    }

    func status(for failure: any ServiceFailure) -> HTTPStatus? {
        let mapping = mappings.withLock { $0[ObjectIdentifier(type(of: failure))] }
        return mapping?(failure)
    }
}

/// Turns what a route threw into a problem response.
enum ErrorMapping {
    /// The problem for `error`.
    /// - Parameters:
    ///   - error: What the mapping closure or the service call threw.
    ///   - routeStatus: The route's own failure mapping, consulted first.
    ///   - statuses: The gateway's per-type failure mappings.
    ///   - instance: The request path.
    ///   - requestID: The request id.
    static func response(
        for error: any Error,
        routeStatus: FailureStatuses.Mapping?,
        statuses: FailureStatuses,
        instance: String,
        requestID: String
    ) -> HTTPResponse {
        func problem(_ status: HTTPStatus, _ slug: String?, _ detail: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
            Problem(status: status, type: slug.map(Problem.type) ?? "about:blank", detail: detail, instance: instance, requestId: requestID)
                .response(headers: headers)
        }
        switch error {
        case let error as GatewayError:
            return problem(error.status, error.status == .badRequest ? "invalid-request" : nil, error.detail)
        case let failure as any ServiceFailure:
            let status = routeStatus?(failure) ?? statuses.status(for: failure) ?? .unprocessableContent
            var headers: HTTPHeaders = [:]
            if let retryAfter = failure.retryAfter { headers.add(name: "Retry-After", value: String(max(1, TokenBucket.ceilSeconds(retryAfter)))) }
            return problem(status, "service-failure", String(describing: failure), headers: headers)
        case let error as ResilienceError:
            switch error.code {
            case .circuitOpen:
                var headers: HTTPHeaders = [:]
                if let retryAfter = error.retryAfter { headers.add(name: "Retry-After", value: String(max(1, TokenBucket.ceilSeconds(retryAfter)))) }
                return problem(.serviceUnavailable, "service-unavailable", "the service is failing; calls are paused", headers: headers)
            case .noHealthyInstance:
                return problem(.serviceUnavailable, "service-unavailable", "no instance of the service is available")
            case .bulkheadFull:
                return problem(.serviceUnavailable, "service-unavailable", "the service is at capacity")
            case .timeout:
                return problem(.gatewayTimeout, "timeout", "the service did not answer in time")
            case .retriesExhausted:
                if let underlying = error.underlyingError {
                    return response(for: underlying, routeStatus: routeStatus, statuses: statuses, instance: instance, requestID: requestID)
                }
                return problem(.internalServerError, nil, "internal error")
            default:
                return problem(.internalServerError, nil, "internal error")
            }
        default:
            return problem(.internalServerError, nil, "internal error")
        }
    }

    /// The problem for a request the parser rejected: installed as ``HTTP/HTTPServer/Configuration/errorResponder``.
    @Sendable
    static func parserError(_ error: HTTPParserError) -> HTTPResponse {
        let requestID = RequestID.generate()
        return Problem(status: error.status, type: Problem.type("malformed-request"), detail: error.description, requestId: requestID)
            .response(headers: ["X-Request-Id": requestID])
    }
}
