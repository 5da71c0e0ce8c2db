import HTTP
import Synchronization
import Telemetry

/// The outermost step of every gateway request: request id, server span, problem+json for the router's own
/// 404 and 405 and for anything thrown, then one access-log line and the per-route metrics.
///
/// A refusal (`429`) is the cheapest answer: it gets no access-log line of its own, only its counter
/// (`emporium_http_refusals_total{route,reason}`) and at most one summary line per route and reason a second, so
/// a flood costs less to turn away than to serve.
struct EdgeMiddleware: HTTPMiddleware {
    let tracer: Tracer?
    let untraced: UntracedRoutes
    let logger: Logger
    let refusals: RefusalLog
    /// The limits on `/api/` requests in flight, when there are any.
    let admission: Admission?
    let meters: RouteMeters

    func handle(_ request: HTTPRequest, context: HTTPRequestContext, next: HTTPMiddlewareNext) async throws -> HTTPResponse {
        // Shedding comes first and costs least: no span, no access line, no work behind it. Operations routes,
        // probes and the web store's files are always admitted, so operators can see an overloaded system.
        if let admission, request.path.hasPrefix("/api/") {
            guard admission.enter(queueDelay: context.queueDelay, connection: context.connectionID) else { return shed(request) }
            defer { admission.leave() }
            return try await admitted(request, context: context, next: next)
        }
        return try await admitted(request, context: context, next: next)
    }

    private func shed(_ request: HTTPRequest) -> HTTPResponse {
        let requestID = RequestID.generate()
        refusals.refused(
            route: request.route ?? "unmatched",
            method: Self.methodLabel(request.method),
            status: 503,
            reason: "overloaded",
            logger: logger
        )
        return Problem(
            status: .serviceUnavailable,
            type: Problem.type("overloaded"),
            detail: "The shop is busier than it can serve well right now; try again in a second.",
            instance: String(request.path),
            requestId: requestID
        ).response(headers: ["Retry-After": "1", "X-Request-Id": requestID])
    }

    private func admitted(_ request: HTTPRequest, context: HTTPRequestContext, next: HTTPMiddlewareNext) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        let requestID = RequestID.accept(request.headers.first(name: "X-Request-Id")) ?? RequestID.generate()
        var context = context
        context[RequestIDKey.self] = requestID
        let incoming = request.headers.first(name: "traceparent").flatMap(TraceParent.init).map(TraceContext.init)
        let route = request.route ?? "unmatched"

        var response: HTTPResponse
        let trace: TraceContext?
        if let tracer, !untraced.contains(route) {
            (response, trace) = await tracer.withSpan("\(request.method) \(route)", kind: .server, parent: incoming) { span in
                // An unsampled span keeps nothing: skip building its attributes.
                let recording = span.isRecording
                if recording {
                    span["http.method"] = "\(request.method)"
                    span["http.route"] = "\(route)"
                    span["http.request_id"] = "\(requestID)"
                }
                let response = await respond(request, context, requestID: requestID, next: next)
                if recording {
                    span["http.status_code"] = .int(Int64(response.status.code))
                    if response.status.code >= 500 { span.setStatus(.error(message: response.status.description)) }
                }
                return (response, span.context)
            }
        } else {
            response = await respond(request, context, requestID: requestID, next: next)
            trace = incoming
        }
        response.headers.replaceOrAdd(name: "X-Request-Id", value: requestID)
        if let trace { response.headers.replaceOrAdd(name: "traceparent", value: trace.traceParent.description) }

        let elapsed = ContinuousClock.now - started
        let status = response.status.code
        if status == 429 {
            refusals.refused(route: route, method: Self.methodLabel(request.method), status: status, reason: "rate-limited", logger: logger)
            return response
        }
        meters.record(route: route, method: Self.methodLabel(request.method), status: status, elapsed: elapsed)
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method)",
                "path": "\(request.path)",
                "route": "\(route)",
                "status": "\(status)",
                "duration_ms": "\(elapsed / .milliseconds(1))",
                "request_id": "\(requestID)",
                "trace_id": "\(trace.map { "\($0.traceID)" } ?? "")",
            ]
        )
        return response
    }

    private func respond(
        _ request: HTTPRequest,
        _ context: HTTPRequestContext,
        requestID: String,
        next: HTTPMiddlewareNext
    ) async -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await next(request, context)
        } catch {
            logger.error("handler failed", metadata: ["error": "\(String(describing: error))", "request_id": "\(requestID)"])
            return ErrorMapping.internalError(instance: String(request.path), requestID: requestID)
        }
        return Self.problemForRouterResponse(response, method: request.method, path: String(request.path), requestID: requestID) ?? response
    }

    /// The method as a metric label; methods outside RFC 9110 and PATCH count as `OTHER`, so clients cannot
    /// create unbounded series.
    static func methodLabel(_ method: HTTPMethod) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options, .connect, .trace: method.rawValue
        default: "OTHER"
        }
    }

    /// The router answers 404 and 405 in plain text; the gateway answers every error in problem+json.
    static func problemForRouterResponse(_ response: HTTPResponse, method: HTTPMethod, path: String?, requestID: String) -> HTTPResponse? {
        guard response.status == .notFound || response.status == .methodNotAllowed,
            response.headers.first(name: "Content-Type") != Problem.contentType
        else { return nil }
        guard response.status == .methodNotAllowed else {
            return Problem(
                status: .notFound,
                type: Problem.type("not-found"),
                detail: "No route matches the path.",
                instance: path,
                requestId: requestID
            )
            .response()
        }
        let allow = response.headers.first(name: "Allow") ?? ""
        let problem = Problem(
            status: .methodNotAllowed,
            type: Problem.type("method-not-allowed"),
            detail: "This path does not answer \(method); it answers \(allow.isEmpty ? "no method" : allow).",
            instance: path,
            requestId: requestID
        )
        return problem.response(headers: ["Allow": allow])
    }
}

/// The per-route request counters and duration histograms, looked up once per route, method and status rather
/// than made (names and labels checked, labels sorted) on every request.
final class RouteMeters: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Seconds: most gateway requests take well under the default histogram's first bucket (5 ms).
    static let durationBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let metrics: MetricsRegistry
    private let meters = Mutex<[Key: (requests: Counter, duration: Histogram)]>([:])

    init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    /// Counts one answered request and records how long it took.
    func record(route: String, method: String, status: Int, elapsed: Duration) {
        let key = Key(route: route, method: method, status: status)
        let meter = meters.withLock { meters in
            if let meter = meters[key] { return meter }
            let meter = (
                requests: metrics.makeCounter(
                    name: "emporium_http_requests_total",
                    labels: [("route", route), ("method", method), ("status", String(status))],
                    help: "Requests answered by the gateway, by route pattern, method and status."
                ),
                duration: metrics.makeHistogram(
                    name: "emporium_http_request_duration_seconds",
                    labels: [("route", route)],
                    buckets: Self.durationBuckets,
                    help: "Time from routing to response, by route pattern."
                )
            )
            meters[key] = meter
            return meter
        }
        meter.requests.increment()
        meter.duration.record(elapsed)
    }
}
