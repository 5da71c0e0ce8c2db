import Foundation
public import HTTP
public import Messaging
public import ServiceKit
public import Telemetry

/// The platform's edge: an ``HTTPRouter`` whose routes call service endpoints through a ``ServiceClient``,
/// with authentication, rate limiting, a response cache for public `GET`s, problem+json errors, request ids,
/// tracing, access logs, metrics and the operational endpoints `/health`, `/ready` and `/metrics`.
///
/// The gateway knows no capability: the application declares its routes.
///
/// ```swift
/// var gateway = Gateway(client: client, tokenVerifier: jwt, metrics: metrics, tracer: tracer)
/// gateway.route(.get, "/api/v1/products/{id}", to: CatalogEndpoints.product, cache: .publicCacheable(maxAge: .seconds(60))) {
///     ProductID(try $0.pathParameter("id"))
/// }
/// gateway.route(.post, "/api/v1/orders", to: OrderEndpoints.place, access: .authenticated("customer"), status: .created) {
///     try $0.decodeBody(PlaceOrder.self)
/// }
/// gateway.mapFailures(CatalogError.self) { error in error == .productNotFound ? .notFound : .unprocessableContent }
/// gateway.invalidate(on: ["catalog.product-updated.v1"]) { event in
///     [.path("/api/v1/products/\(event.subject ?? "")"), .path("/api/v1/products")]
/// }
/// gateway.subscribeInvalidations(to: bus)
/// let server = gateway.makeServer(configuration: .init(port: 8080))
/// ```
///
/// Error responses are RFC 9457 problems: `400` for a body or parameter the mapping closure rejects, `401` (with
/// `WWW-Authenticate: Bearer`) and `403` for access, `404`/`405` from the router (`405` with `Allow`, also under a
/// mount at `/`), `429` from the rate limiter, `503` when the service's breaker is open or it has no healthy
/// instance (with `Retry-After` when known), `504` on timeout, the mapped status (422 by default) for a declared
/// ``ServiceFailure``, `500` otherwise. Every problem's `type` is a specific `urn:emporium:problem:<slug>` and its
/// `detail` a sentence for a person: a declared failure's own ``ServiceFailure/problemType`` and
/// ``ServiceFailure/detail``, with its ``ServiceFailure/fieldErrors`` as `errors`; nothing undeclared is described.
///
/// Every response carries `X-Request-Id` (the client's when it is 1 to 128 printable ASCII characters, else a
/// generated one) and, with a tracer or an incoming `traceparent`, the `traceparent` of the request's server
/// span. Rate-limited routes add `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-09,
/// see ``RateLimitPolicy``); cacheable routes add `ETag`, `Cache-Control` and `X-Cache: hit|miss`. Public routes
/// do not look at `Authorization`, so their rate-limit key is the client's address.
public struct Gateway: HTTPResponder {
    /// Limits and sizes of a gateway.
    public struct Configuration: Sendable {
        /// The rate-limit classes routes name in `rateLimitClass`. One class, `default`, of 100 requests a minute
        /// by default.
        public var rateLimits: [RateLimitPolicy]
        /// The most rate-limit buckets (clients × classes) kept in memory.
        public var maxRateLimitBuckets: Int
        /// The most responses kept in the cache.
        public var cacheCapacity: Int
        /// Whether public `GET` routes declared cacheable are answered from the response cache; `false` sends every
        /// request to its service, as if no route were cacheable (for measuring what the cache is worth).
        public var responseCaching: Bool
        /// Roles that also grant others: `["admin": ["customer"]]` lets an admin call customer routes. Not
        /// transitive. Empty by default: a route's role must match exactly.
        public var impliedRoles: [Role: Set<Role>]
        /// How many `/api/` requests may be in the gateway at once; more are shed at the edge with `503`
        /// (`overloaded`, `Retry-After: 1`) before any work. `nil` admits everything.
        public var maxRequestsInFlight: Int?
        /// With ``maxRequestsInFlight``: when most `/api/` requests of a 20 ms interval (from 8 connections at least)
        /// waited longer than this in the server before their handlers, those that do in the next interval are shed
        /// too (controlled delay; see `Admission`). `nil` sheds on the limit alone.
        public var admissionQueueTarget: Duration?

        /// The defaults.
        public init(
            rateLimits: [RateLimitPolicy] = [RateLimitPolicy(name: "default", limit: 100, window: .seconds(60))],
            maxRateLimitBuckets: Int = 100_000,
            cacheCapacity: Int = 10_000,
            responseCaching: Bool = true,
            impliedRoles: [Role: Set<Role>] = [:],
            maxRequestsInFlight: Int? = nil,
            admissionQueueTarget: Duration? = nil
        ) {
            precondition(maxRequestsInFlight.map { $0 >= 1 } ?? true, "at least one request must be admitted")
            self.rateLimits = rateLimits
            self.maxRateLimitBuckets = maxRateLimitBuckets
            self.cacheCapacity = cacheCapacity
            self.responseCaching = responseCaching
            self.impliedRoles = impliedRoles
            self.maxRequestsInFlight = maxRequestsInFlight
            self.admissionQueueTarget = admissionQueueTarget
        }
    }

    /// The client routes call endpoints through; its registry decides `/ready`.
    public let client: ServiceClient
    /// The response cache.
    public let cache: ResponseCache
    /// The rate limiter.
    public let rateLimiter: RateLimiter
    /// Where per-route metrics are recorded and what `/metrics` exposes.
    public let metrics: MetricsRegistry
    /// The access logger.
    public let logger: Logger
    /// Subjects whose tokens are refused although valid: deleted accounts.
    public let revokedSubjects = RevokedSubjects()
    private let tokenVerifier: (any TokenVerifier)?
    private let impliedRoles: [Role: Set<Role>]
    private let responseCaching: Bool
    private let failureStatuses = FailureStatuses()
    private let cacheOutcomes: CacheOutcomes
    /// Route patterns whose requests are not traced (still logged and counted).
    let untraced = UntracedRoutes()
    var router = HTTPRouter()
    /// The routes added so far, in order: what the gateway serves besides its operational endpoints and
    /// mounted files.
    public private(set) var routes: [RouteDescription] = []
    /// What each event type makes stale in the cache.
    private var invalidations: [String: @Sendable (Envelope) -> [CacheInvalidation]] = [:]
    /// Event types whose subject's tokens are refused from then on.
    private var revocations: Set<String> = []

    /// Creates a gateway with the operational endpoints and no other route.
    /// - Parameters:
    ///   - client: The service client routes call through.
    ///   - configuration: Rate-limit classes and sizes.
    ///   - tokenVerifier: Verifies bearer tokens; without one every authenticated route answers 401.
    ///   - metrics: Where metrics go; `/metrics` exposes this registry.
    ///   - tracer: When given, each request is a server span continuing an incoming `traceparent`.
    ///   - logger: Receives one `request` line per request.
    ///   - clock: Drives the rate limiter and cache expiry.
    public init(
        client: ServiceClient,
        configuration: Configuration = Configuration(),
        tokenVerifier: (any TokenVerifier)? = nil,
        metrics: MetricsRegistry = MetricsRegistry(),
        tracer: Tracer? = nil,
        logger: Logger = Logger(label: "gateway"),
        clock: any ServiceClock = SystemClock()
    ) {
        self.client = client
        self.cache = ResponseCache(capacity: configuration.cacheCapacity, clock: clock)
        self.rateLimiter = RateLimiter(policies: configuration.rateLimits, maxBuckets: configuration.maxRateLimitBuckets, clock: clock)
        self.metrics = metrics
        self.logger = logger
        self.tokenVerifier = tokenVerifier
        self.impliedRoles = configuration.impliedRoles
        self.responseCaching = configuration.responseCaching
        self.cacheOutcomes = CacheOutcomes(metrics: metrics)
        router.add(
            middleware: EdgeMiddleware(
                tracer: tracer,
                untraced: untraced,
                logger: logger,
                refusals: RefusalLog(metrics: metrics),
                admission: configuration.maxRequestsInFlight.map {
                    Admission(limit: $0, target: configuration.admissionQueueTarget, metrics: metrics)
                },
                meters: RouteMeters(metrics: metrics)
            )
        )
        addOperationalRoutes()
    }

    /// Adds a route that calls `endpoint`.
    ///
    /// The pipeline: access check (401/403), rate limit (429), cache lookup for cacheable routes (a hit never
    /// calls the service), `map`, the call, and the response encoded as JSON (ISO 8601 dates).
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - pattern: The path pattern, `{name}` for a parameter.
    ///   - endpoint: The endpoint called.
    ///   - access: Who may call it; public by default.
    ///   - cache: Whether `GET` responses are cached; only public routes may be cached.
    ///   - rateLimitClass: The rate-limit class (a ``RateLimitPolicy`` name); `nil` for no limit.
    ///   - status: The status of a successful response; `204 No Content` sends no body.
    ///   - etag: The response's entity tag (quoted), such as its version; by default cached responses get a hash
    ///     of the body and others none.
    ///   - failureStatus: The status of a declared failure, consulted before ``mapFailures(_:to:)``; `nil`
    ///     defers to those mappings, then to 422.
    ///   - invalidates: Cache entries a successful call makes stale, removed before the response is sent, so a
    ///     client reads its own write at once (events invalidate the entries for everyone else's changes).
    ///   - traced: Whether each request is a server span. Turn it off for routes that are polled (dashboards,
    ///     probes), which would otherwise push the interesting traces out of the trace store.
    ///   - map: Builds the endpoint's request; throw ``GatewayError`` to answer without calling.
    /// - Precondition: A cacheable route is public.
    public mutating func route<Request, Response>(
        _ method: HTTPMethod,
        _ pattern: String,
        to endpoint: Endpoint<Request, Response>,
        access: Access = .public,
        cache: CachePolicy = .none,
        rateLimitClass: String? = "default",
        status: HTTPStatus = .ok,
        etag: (@Sendable (Response) -> String)? = nil,
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)? = nil,
        invalidates: (@Sendable (GatewayRequest) -> [CacheInvalidation])? = nil,
        traced: Bool = true,
        map: @escaping @Sendable (GatewayRequest) throws -> Request
    ) {
        let client = self.client
        route(
            method,
            pattern,
            access: access,
            cache: cache,
            rateLimitClass: rateLimitClass,
            status: status,
            etag: etag,
            failureStatus: failureStatus,
            invalidates: invalidates,
            traced: traced
        ) { request in
            try await client.call(endpoint, try map(request))
        }
    }

    /// Adds a route the gateway answers itself, through the same pipeline as an endpoint's route: for
    /// operational views of the platform (registry, traces, statistics) that belong to no service.
    /// - Parameters:
    ///   - handle: Produces the response body, encoded as JSON; throw ``GatewayError`` for a problem.
    ///   - Other parameters: as for ``route(_:_:to:access:cache:rateLimitClass:status:etag:failureStatus:invalidates:traced:map:)``.
    /// - Precondition: A cacheable route is public.
    public mutating func route<Response: Encodable & Sendable>(
        _ method: HTTPMethod,
        _ pattern: String,
        access: Access = .public,
        cache: CachePolicy = .none,
        rateLimitClass: String? = "default",
        status: HTTPStatus = .ok,
        etag: (@Sendable (Response) -> String)? = nil,
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)? = nil,
        invalidates: (@Sendable (GatewayRequest) -> [CacheInvalidation])? = nil,
        traced: Bool = true,
        handle: @escaping @Sendable (GatewayRequest) async throws -> Response
    ) {
        let responseCache = self.cache
        addRoute(
            method,
            pattern,
            access: access,
            cache: cache,
            rateLimitClass: rateLimitClass,
            failureStatus: failureStatus,
            traced: traced
        ) { gatewayRequest in
            let output = try await handle(gatewayRequest)
            if let invalidates { _ = responseCache.invalidate(invalidates(gatewayRequest)) }
            let body = status == .noContent ? [] : Array(try JSONCoding.encoder().encode(output))
            return RoutePipeline.Output(status: status, body: body, etag: etag?(output))
        }
    }

    /// Adds a route the composition root answers itself with full control of the response: its status, JSON body,
    /// header fields and entity tag, through the same pipeline (access, rate limit, failures as problems). For
    /// routes that combine calls or set header fields, such as a guest's cart token.
    /// - Parameters:
    ///   - respond: Produces the response; throw a ``ServiceKit/ServiceFailure`` or ``GatewayError`` for a problem.
    ///   - Other parameters: as for ``route(_:_:access:cache:rateLimitClass:status:etag:failureStatus:invalidates:traced:handle:)``.
    public mutating func route(
        _ method: HTTPMethod,
        _ pattern: String,
        access: Access = .public,
        rateLimitClass: String? = "default",
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)? = nil,
        traced: Bool = true,
        respond: @escaping @Sendable (GatewayRequest) async throws -> RouteResponse
    ) {
        addRoute(method, pattern, access: access, cache: .none, rateLimitClass: rateLimitClass, failureStatus: failureStatus, traced: traced) {
            request in
            let response = try await respond(request)
            var output = RoutePipeline.Output(status: response.status, body: response.body, etag: response.etag)
            output.headers = response.headers
            return output
        }
    }

    /// Adds a route through the pipeline whose `respond` produces the status, body and header fields itself.
    /// - Precondition: A cacheable route is public.
    mutating func addRoute(
        _ method: HTTPMethod,
        _ pattern: String,
        access: Access,
        cache: CachePolicy,
        rateLimitClass: String?,
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)?,
        traced: Bool,
        respond: @escaping @Sendable (GatewayRequest) async throws -> RoutePipeline.Output
    ) {
        precondition(cache == .none || access == .public, "route \(pattern): only public routes may be cached")
        let pipeline = RoutePipeline(
            access: access,
            cache: cache == .none || !responseCaching ? nil : self.cache,
            cachePolicy: cache,
            rateLimitClass: rateLimitClass,
            rateLimiter: rateLimiter,
            tokenVerifier: tokenVerifier,
            revokedSubjects: revokedSubjects,
            impliedRoles: impliedRoles,
            failureStatus: failureStatus,
            failureStatuses: failureStatuses,
            cacheOutcomes: cacheOutcomes,
            logger: logger
        )
        routes.append(RouteDescription(method: method, pattern: pattern, access: access))
        if !traced { untraced.insert(pattern) }
        router.on(method, pattern) { request, context in
            await pipeline.run(request, context, call: respond)
        }
    }

    /// Maps a declared failure type to statuses, for every route (a route's own `failureStatus` wins).
    /// - Parameters:
    ///   - type: The endpoint's failure type.
    ///   - status: The status of one failure.
    public func mapFailures<Failure: ServiceFailure>(_ type: Failure.Type, to status: @escaping @Sendable (Failure) -> HTTPStatus) {
        failureStatuses.add(type, status)
    }

    /// Removes cache entries when events of `eventTypes` arrive, once ``subscribeInvalidations(to:group:)``
    /// has joined the bus: routes declare what each event makes stale beside themselves.
    /// - Parameters:
    ///   - eventTypes: The event types, such as `catalog.product-updated.v1`.
    ///   - keys: What an event invalidates.
    /// - Precondition: no rule for these types yet.
    public mutating func invalidate(on eventTypes: [String], keys: @escaping @Sendable (Envelope) -> [CacheInvalidation]) {
        for type in eventTypes {
            precondition(invalidations[type] == nil, "cache invalidation for \(type) is declared twice")
            invalidations[type] = keys
        }
    }

    /// Subscribes the cache to every event type a route declared with ``invalidate(on:keys:)``, as one consumer
    /// group, so one subject's events invalidate in order.
    /// - Parameters:
    ///   - bus: The bus.
    ///   - group: The consumer group; give every gateway instance its own so each gets every event.
    /// - Returns: The subscription, to end it with ``Messaging/MessageBus/unsubscribe(_:)``; `nil` when no route
    ///   declared any.
    @discardableResult
    public func subscribeInvalidations(to bus: any MessageBus, group: String = "gateway") -> SubscriptionToken? {
        guard !invalidations.isEmpty || !revocations.isEmpty else { return nil }
        let cache = self.cache
        let rules = invalidations
        let revocations = revocations
        let revoked = revokedSubjects
        return bus.subscribe(Subscription(group: group, eventTypes: Array(Set(rules.keys).union(revocations)).sorted())) { envelope in
            if revocations.contains(envelope.type), let subject = envelope.subject { revoked.revoke(subject) }
            if let keys = rules[envelope.type] { cache.invalidate(keys(envelope)) }
        }
    }

    /// Refuses the tokens of each event's subject once events of `eventTypes` arrive (an account deleted), through
    /// the same subscription as the cache's invalidations (``subscribeInvalidations(to:group:)``).
    /// - Parameter eventTypes: The event types, such as `identity.user-deleted.v1`.
    public mutating func revokeTokens(on eventTypes: [String]) {
        revocations.formUnion(eventTypes)
    }

    /// Serves `files` under `prefix` for `GET` (and `HEAD`); `/` mounts the web store at the root, below the
    /// more specific routes: a path a route matches is never a file, so another method on it is `405`, not `404`.
    /// File requests are not traced: a page load fetches several.
    /// - Parameters:
    ///   - files: The files.
    ///   - prefix: The mount point, such as `/` or `/assets`.
    public mutating func mount(_ files: StaticFiles, at prefix: String) {
        let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let handler: HTTPHandler = { request, context in
            let requestID = context[RequestIDKey.self] ?? RequestID.generate()
            let path = request.path
            let relative = path.hasPrefix(base) ? path.dropFirst(base.count) : path[path.endIndex...]
            return files.response(to: request, relativePath: relative, requestID: requestID)
        }
        router.get(base.isEmpty ? "/" : base, handler: handler)
        router.get(base + "/{path...}", handler: handler)
        untraced.insert(base.isEmpty ? "/" : base)
        untraced.insert(base + "/{path...}")
    }

    /// A server answering with this gateway, whose parser errors are problem+json too. The server gets a copy
    /// of the gateway: add every route before calling this.
    /// - Parameters:
    ///   - configuration: The server's configuration; its ``HTTP/HTTPServer/Configuration/errorResponder`` is
    ///     replaced.
    ///   - logger: The server's logger; the gateway's by default.
    public func makeServer(configuration: HTTPServer.Configuration, logger: Logger? = nil) -> HTTPServer {
        var configuration = configuration
        configuration.errorResponder = Self.parserErrorResponse
        return HTTPServer(configuration: configuration, responder: self, logger: logger ?? self.logger, metrics: metrics)
    }

    /// The problem+json response to a request the parser rejected, for
    /// ``HTTP/HTTPServer/Configuration/errorResponder``.
    /// - Parameter error: The parser's verdict.
    @Sendable
    public static func parserErrorResponse(_ error: HTTPParserError) -> HTTPResponse {
        ErrorMapping.parserError(error)
    }

    /// Routes `request` through the gateway.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: Its context.
    public func respond(to request: HTTPRequest, context: HTTPRequestContext) async throws -> HTTPResponse {
        try await router.respond(to: request, context: context)
    }

    /// The router's 404 or 405 for a request waiting on `100 Continue`, as a problem.
    /// - Parameter head: The request head.
    public func responseBeforeBody(for head: HTTPRequestHead) -> HTTPResponse? {
        guard let response = router.responseBeforeBody(for: head) else { return nil }
        let requestID = RequestID.accept(head.headers.first(name: "X-Request-Id")) ?? RequestID.generate()
        let path = String(HTTPRequest(head: head).path)
        var problem = EdgeMiddleware.problemForRouterResponse(response, method: head.method, path: path, requestID: requestID) ?? response
        problem.headers.replaceOrAdd(name: "X-Request-Id", value: requestID)
        return problem
    }
}

/// A response a route builds itself: see ``Gateway/route(_:_:access:rateLimitClass:failureStatus:traced:respond:)``.
public struct RouteResponse: Sendable {
    /// The status.
    public var status: HTTPStatus
    /// The JSON body; empty for none.
    public var body: [UInt8]
    /// Extra header fields.
    public var headers: HTTPHeaders
    /// The entity tag (quoted).
    public var etag: String?

    /// A response whose body is `value` as JSON (ISO 8601 dates, sorted keys), or none for `204 No Content`.
    /// - Throws: `EncodingError`.
    public init(status: HTTPStatus = .ok, json value: some Encodable, headers: HTTPHeaders = [:], etag: String? = nil) throws {
        self.status = status
        self.body = status == .noContent ? [] : Array(try JSONCoding.encoder().encode(value))
        self.headers = headers
        self.etag = etag
    }
}
