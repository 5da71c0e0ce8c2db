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
///
/// Every problem gets a specific `type`, and a `detail` written for a person: a declared failure says its own
/// (``ServiceKit/ServiceFailure/detail``). A service behind the gateway that failed, was unreachable or too slow is
/// `502`, `503` or `504` (with `Retry-After` where waiting helps); one that said it cannot do anything of the kind
/// right now (``ServiceKit/Unavailability``: a full or read-only disk) is `503` with the unavailability's own type,
/// sentence and `Retry-After`; `500` (`internal-error`, without its description, which may name types or echo
/// internals; the route logs it instead) is left for the gateway's own faults.
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
        func problem(
            _ status: HTTPStatus,
            _ slug: String,
            _ detail: String,
            errors: [FieldError] = [],
            retryAfter: Duration? = nil
        ) -> HTTPResponse {
            var headers: HTTPHeaders = [:]
            if let retryAfter { headers.add(name: "Retry-After", value: String(max(1, TokenBucket.ceilSeconds(retryAfter)))) }
            return Problem(status: status, type: Problem.type(slug), detail: detail, instance: instance, requestId: requestID, errors: errors)
                .response(headers: headers)
        }
        // From a service behind the gateway (a `RemoteCallError`) or from a handler the gateway runs itself.
        if let unavailability = error.serviceUnavailability {
            return problem(.serviceUnavailable, unavailability.problemType, unavailability.detail, retryAfter: unavailability.retryAfter)
        }
        switch error {
        case let error as GatewayError:
            return problem(error.status, error.problemType, error.detail, errors: error.fieldErrors)
        case let failure as any ServiceFailure:
            let status = routeStatus?(failure) ?? statuses.status(for: failure) ?? .unprocessableContent
            return problem(status, failure.problemType, failure.detail, errors: failure.fieldErrors, retryAfter: failure.retryAfter)
        case let error as ResilienceError:
            switch error.code {
            case .circuitOpen:
                return problem(
                    .serviceUnavailable,
                    "circuit-open",
                    "The service is failing, so calls to it are paused; try again later.",
                    retryAfter: error.retryAfter
                )
            case .noHealthyInstance:
                return problem(
                    .serviceUnavailable,
                    "service-unavailable",
                    "No instance of the service is available; try again later.",
                    retryAfter: .seconds(5)
                )
            case .bulkheadFull:
                return problem(.serviceUnavailable, "service-busy", "The service is at capacity; try again later.", retryAfter: .seconds(1))
            case .timeout:
                return problem(.gatewayTimeout, "timeout", "The service did not answer in time.")
            case .retriesExhausted:
                if let underlying = error.underlyingError {
                    return response(for: underlying, routeStatus: routeStatus, statuses: statuses, instance: instance, requestID: requestID)
                }
                return internalError(instance: instance, requestID: requestID)
            default:
                return internalError(instance: instance, requestID: requestID)
            }
        case let fault as InjectedFault where fault.kind == .instanceDown:
            return problem(.serviceUnavailable, "service-unavailable", "The service's instance is down; try again.", retryAfter: .seconds(1))
        case is InjectedFault, is RemoteCallError:
            return problem(.badGateway, "upstream-error", "A service behind the gateway failed to answer the request; try again.")
        default:
            return internalError(instance: instance, requestID: requestID)
        }
    }

    /// The problem for an error nobody declared: nothing of it reaches the client.
    static func internalError(instance: String?, requestID: String) -> HTTPResponse {
        Problem(
            status: .internalServerError,
            detail: "Something went wrong on our side; quote the request id to support.",
            instance: instance,
            requestId: requestID
        )
        .response()
    }

    /// The problem for a request the parser rejected: installed as ``HTTP/HTTPServer/Configuration/errorResponder``.
    @Sendable
    static func parserError(_ error: HTTPParserError) -> HTTPResponse {
        let requestID = RequestID.generate()
        let slug = error.status == .badRequest ? "malformed-request" : Problem.slug(for: error.status)
        return Problem(status: error.status, type: Problem.type(slug), detail: sentence(error.description), requestId: requestID)
            .response(headers: ["X-Request-Id": requestID])
    }

    /// `text` as a sentence: its first letter in upper case and a full stop at the end.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalized = first.uppercased() + text.dropFirst()
        return capitalized.hasSuffix(".") ? capitalized : capitalized + "."
    }
}
