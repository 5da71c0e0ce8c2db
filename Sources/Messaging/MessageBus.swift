/// Handles one event. Throwing means "not handled": the bus retries with backoff, then dead-letters.
public typealias EventHandler = @Sendable (Envelope) async throws -> Void

/// Handles a batch of events of one consumer group's lane, in order, typically in one transaction. Throwing
/// means none was handled: the bus then delivers the batch's events one at a time, with retries, so a single
/// bad event is dead-lettered alone.
public typealias BatchEventHandler = @Sendable ([Envelope]) async throws -> Void

/// Publish/subscribe between modules.
///
/// Topics are event types (`catalog.product-updated.v1`). Each subscription names a consumer group, normally
/// the subscribing service: every group gets every event of its topic (fan-out), and the members of one group,
/// such as the instances of one service, compete for them, so each event is handled once per group.
/// Events with the same ``Envelope/subject`` reach a group in publish order.
public protocol MessageBus: Sendable {
    /// Publishes an event to every group subscribed to its type, returning once it is queued everywhere.
    /// Waits while a subscriber's mailbox is full (backpressure); nothing is dropped.
    /// - Throws: ``MessagingError/busClosed`` after shutdown.
    func publish(_ envelope: Envelope) async throws

    /// Publishes events and returns only when every subscribed group has finished with each of them: handled,
    /// or moved to its dead letters after the last retry. The outbox relay uses this before marking events sent,
    /// so a crash never loses an event that was marked sent.
    /// - Throws: ``MessagingError/busClosed`` after shutdown; `CancellationError` if cancelled while waiting.
    func deliver(_ envelopes: [Envelope]) async throws

    /// Queues an event again for one group only (replaying a dead letter) and waits until that group is done.
    /// - Throws: ``MessagingError/busClosed`` after shutdown.
    func redeliver(_ envelope: Envelope, toGroup group: String) async throws

    /// Adds a member to the consumer group `subscription.group` of topic `subscription.topic`.
    /// - Returns: a token that ends this membership when passed to ``unsubscribe(_:)``.
    @discardableResult
    func subscribe(_ subscription: Subscription, handler: @escaping EventHandler) -> SubscriptionToken

    /// Adds a member that takes events in batches (up to 64 at a time, as they queue up), so that, for
    /// example, an inbox can record many events in one transaction. Same group semantics as
    /// ``subscribe(_:handler:)``.
    @discardableResult
    func subscribeInBatches(_ subscription: Subscription, handler: @escaping BatchEventHandler) -> SubscriptionToken

    /// Ends one membership. Events keep queueing for the group while it has no members.
    func unsubscribe(_ token: SubscriptionToken)
}

/// Identifies one subscriber's membership in a consumer group.
public struct SubscriptionToken: Hashable, Sendable {
    /// The topic subscribed to.
    public let topic: String
    /// The consumer group joined.
    public let group: String
    let id: Int
}
