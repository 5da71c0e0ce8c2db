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
            let bytes = status == .noContent ? [] : Array(try JSONCoding.encoder().encode(reply.body))
            var output = RoutePipeline.Output(status: status, body: bytes, etag: etag?(reply.body))
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
