/// The request of an endpoint that honours idempotency keys: the caller's key, who the caller is, and the body.
///
/// An endpoint declares it as its request type, and its reply as ``IdempotentReply``; the gateway fills the key
/// from the `Idempotency-Key` header and the caller from the bearer token, and the handler runs the body through
/// its module's idempotency-key store (Messaging's `IdempotencyKeys`):
///
/// ```swift
/// public static let charge = Endpoint<IdempotentRequest<ChargeRequest>, IdempotentReply<Charge>>(
///     "payments.charge", failure: PaymentsError.self
/// )
/// handlers.register(PaymentsEndpoints.charge) { request in
///     try await keys.run(request, for: PaymentsEndpoints.charge) { body in try await service.charge(body) }
/// }
/// ```
///
/// Keys are scoped per caller, as Stripe scopes them per account: the same key from two callers names two
/// operations. Every anonymous caller shares one scope, so an endpoint whose reply is private should require
/// authentication.
public struct IdempotentRequest<Body: Codable & Sendable>: Codable, Sendable {
    /// The caller's name for this operation.
    public var key: IdempotencyKey
    /// Who is calling: the principal's subject, or `nil` for an anonymous caller (an empty subject counts as
    /// anonymous).
    public var caller: String?
    /// The operation's own request.
    public var body: Body

    /// Creates a request.
    /// - Parameters:
    ///   - key: The caller's key for the operation.
    ///   - caller: The principal's subject, or `nil` when anonymous.
    ///   - body: The operation's request.
    public init(key: IdempotencyKey, caller: String?, body: Body) {
        self.key = key
        self.caller = caller?.isEmpty == true ? nil : caller
        self.body = body
    }
}

extension IdempotentRequest: Equatable where Body: Equatable {}
extension IdempotentRequest: Hashable where Body: Hashable {}

/// The reply of an endpoint that honours idempotency keys: the operation's reply, and whether it is the stored
/// reply of an earlier request with the same key (the gateway then adds `Idempotent-Replayed: true`).
public struct IdempotentReply<Body: Codable & Sendable>: Codable, Sendable {
    /// The operation's reply; a replay's is equal to the first one's, encoded byte for byte the same.
    public var body: Body
    /// Whether the operation ran earlier and this is its stored reply.
    public var replayed: Bool

    /// Creates a reply.
    /// - Parameters:
    ///   - body: The operation's reply.
    ///   - replayed: Whether it is an earlier request's stored reply.
    public init(body: Body, replayed: Bool) {
        self.body = body
        self.replayed = replayed
    }
}

extension IdempotentReply: Equatable where Body: Equatable {}
extension IdempotentReply: Hashable where Body: Hashable {}
