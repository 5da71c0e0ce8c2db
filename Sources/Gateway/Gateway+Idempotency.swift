import Foundation
public import HTTP
public import ServiceKit

extension Gateway {
    /// The request header naming an operation's idempotency key.
    public static let idempotencyKeyHeader = "Idempotency-Key"
    /// The response header marking a replayed response, with the value `true`.
    public static let idempotentReplayedHeader = "Idempotent-Replayed"

    /// Adds a route that calls an endpoint honouring idempotency keys: the client's `Idempotency-Key` header and
    /// the principal's subject go into the endpoint's ``ServiceKit/IdempotentRequest``, and `map` builds only
    /// its body.
    ///
    /// ```swift
    /// gateway.route(.post, "/api/v1/payments", to: PaymentsEndpoints.charge, access: .authenticated("customer"), status: .created) {
    ///     try $0.decodeBody(ChargeRequest.self)
    /// }
    /// ```
    ///
    /// The header is required: a request without it is answered `400` before anything runs, since a client that
    /// sends none would lose the protection without noticing. A key must be 1 to 255 printable ASCII characters
    /// (else `400`). The endpoint's handler keeps the key (Messaging's `IdempotencyKeys`), and the gateway
    /// answers its ``ServiceKit/IdempotencyFailure``s: `422` when the key was used with a different request,
    /// `409` with `Retry-After` while the first request with the key runs. A replay has the first response's
    /// status and a body equal to its body byte for byte, plus `Idempotent-Replayed: true`.
    ///
    /// Keys are per caller; on a public route every anonymous client shares one scope, so a route whose response
    /// is private should require authentication.
    /// - Parameters:
    ///   - method: The HTTP method, normally `POST`.
    ///   - pattern: The path pattern, `{name}` for a parameter.
    ///   - endpoint: The endpoint called.
    ///   - access: Who may call it; public by default.
    ///   - rateLimitClass: The rate-limit class; `nil` for no limit.
    ///   - status: The status of a successful response, first or replayed; `204 No Content` sends no body.
    ///   - etag: The response's entity tag (quoted), from the reply's body.
    ///   - failureStatus: The status of the endpoint's own declared failures, as for the other routes;
    ///     idempotency failures are mapped before it is consulted.
    ///   - invalidates: Cache entries a successful call makes stale.
    ///   - traced: Whether each request is a server span.
    ///   - map: Builds the operation's body; throw ``GatewayError`` to answer without calling.
    public mutating func route<Body, Reply>(
        _ method: HTTPMethod,
        _ pattern: String,
        to endpoint: Endpoint<IdempotentRequest<Body>, IdempotentReply<Reply>>,
        access: Access = .public,
        rateLimitClass: String? = "default",
        status: HTTPStatus = .ok,
        etag: (@Sendable (Reply) -> String)? = nil,
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)? = nil,
        invalidates: (@Sendable (GatewayRequest) -> [CacheInvalidation])? = nil,
        traced: Bool = true,
        map: @escaping @Sendable (GatewayRequest) throws -> Body
    ) {
        route(
            method,
            pattern,
            to: endpoint,
            access: access,
            rateLimitClass: rateLimitClass,
            failureStatus: failureStatus,
            invalidates: invalidates,
            traced: traced,
            respond: { reply, _ in ReplyResponse(status: status, body: .reply, etag: etag?(reply)) },
            map: map
        )
    }

    /// Adds a route that calls an endpoint honouring idempotency keys, whose *reply* decides the response: its
    /// status, header fields, and whether the body is the reply or a problem. For outcomes that are remembered
    /// under the key as replies but are failures to the client (a checkout whose card was declined is a reply,
    /// and a `402` problem naming the order and the decline code), and for `202 Accepted` with `Location`.
    ///
    /// A replay gets the same response (the same reply, so the same status and body) plus `Idempotent-Replayed: true`.
    /// - Parameters:
    ///   - respond: The response for a reply and the request.
    ///   - Other parameters: as for ``route(_:_:to:access:rateLimitClass:status:etag:failureStatus:invalidates:traced:map:)``.
    public mutating func route<Body, Reply>(
        _ method: HTTPMethod,
        _ pattern: String,
        to endpoint: Endpoint<IdempotentRequest<Body>, IdempotentReply<Reply>>,
        access: Access = .public,
        rateLimitClass: String? = "default",
        failureStatus: (@Sendable (any ServiceFailure) -> HTTPStatus?)? = nil,
        invalidates: (@Sendable (GatewayRequest) -> [CacheInvalidation])? = nil,
        traced: Bool = true,
        respond: @escaping @Sendable (Reply, GatewayRequest) -> ReplyResponse,
        map: @escaping @Sendable (GatewayRequest) throws -> Body
    ) {
        let client = self.client
        let responseCache = self.cache
        let statuses: @Sendable (any ServiceFailure) -> HTTPStatus? = { failure in
            if let failure = failure as? IdempotencyFailure { return Self.status(of: failure) }
            return failureStatus?(failure)
        }
        addRoute(
            method,
            pattern,
            access: access,
            cache: .none,
            rateLimitClass: rateLimitClass,
            failureStatus: statuses,
            traced: traced
        ) { request in
            let key = try Self.idempotencyKey(of: request)
            let body = try map(request)
            let reply = try await client.call(endpoint, IdempotentRequest(key: key, caller: request.principal?.subject, body: body))
            if let invalidates { _ = responseCache.invalidate(invalidates(request)) }
            let response = respond(reply.body, request)
            var output: RoutePipeline.Output
            switch response.body {
            case .reply:
                let bytes = response.status == .noContent ? [] : Array(try JSONCoding.encoder().encode(reply.body))
                output = RoutePipeline.Output(status: response.status, body: bytes, etag: response.etag)
            case .problem(let problem):
                var filled = problem
                filled.problem.instance = String(request.http.path)
                filled.problem.requestId = request.requestID
                output = RoutePipeline.Output(status: response.status, body: try filled.encoded(), etag: nil)
                output.headers.add(name: "Content-Type", value: Problem.contentType)
            }
            for (name, value) in response.headers { output.headers.add(name: name, value: value) }
            if reply.replayed { output.headers.add(name: Self.idempotentReplayedHeader, value: "true") }
            return output
        }
    }

    /// The request's key.
    /// - Throws: ``ServiceKit/IdempotencyFailure/missingKey`` without the header,
    ///   ``ServiceKit/IdempotencyFailure/invalidKey`` when it is not a key or appears twice.
    static func idempotencyKey(of request: GatewayRequest) throws -> IdempotencyKey {
        let values = request.http.headers.values(name: idempotencyKeyHeader)
        guard let text = values.first else { throw IdempotencyFailure.missingKey }
        guard values.count == 1 else { throw IdempotencyFailure.invalidKey }
        return try IdempotencyKey(text)
    }

    /// The response status of an idempotency failure.
    static func status(of failure: IdempotencyFailure) -> HTTPStatus {
        switch failure {
        case .missingKey, .invalidKey: .badRequest
        case .keyReused: .unprocessableContent
        case .inProgress: .conflict
        }
    }
}

/// The response a route makes of an idempotent endpoint's reply: see
/// ``Gateway/route(_:_:to:access:rateLimitClass:failureStatus:invalidates:traced:respond:map:)``.
public struct ReplyResponse: Sendable {
    /// What the body is.
    public enum Body: Sendable {
        /// The reply, as JSON.
        case reply
        /// A problem (`application/problem+json`) with extension members; the gateway fills its `instance` and
        /// `requestId`.
        case problem(ExtendedProblem)
    }

    /// The status.
    public var status: HTTPStatus
    /// The body.
    public var body: Body
    /// Extra header fields, such as `Location`.
    public var headers: HTTPHeaders
    /// The entity tag of a reply body.
    public var etag: String?

    /// Creates a response.
    public init(status: HTTPStatus, body: Body = .reply, headers: HTTPHeaders = [:], etag: String? = nil) {
        self.status = status
        self.body = body
        self.headers = headers
        self.etag = etag
    }
}

/// An RFC 9457 problem with extension members beside the standard ones (RFC 9457 section 3.2), such as the order a
/// declined checkout created and the decline code.
public struct ExtendedProblem: Sendable {
    /// The standard members.
    public var problem: Problem
    /// The extension members, as JSON: an object whose members join the problem's (the standard ones win).
    public var members: [UInt8]

    /// A problem with the members of `extensions`, which must encode as a JSON object.
    /// - Throws: `EncodingError`.
    public init(_ problem: Problem, extensions: some Encodable) throws {
        self.problem = problem
        self.members = Array(try JSONCoding.encoder().encode(extensions))
    }

    /// The problem's JSON with the extension members, keys sorted.
    func encoded() throws -> [UInt8] {
        let standard = try JSONSerialization.jsonObject(with: Data(try JSONCoding.encoder().encode(problem))) as? [String: Any] ?? [:]
        var object = try JSONSerialization.jsonObject(with: Data(members)) as? [String: Any] ?? [:]
        object.merge(standard) { _, standard in standard }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
