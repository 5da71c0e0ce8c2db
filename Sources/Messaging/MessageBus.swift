/// Handles one event. Throwing means "not handled": the bus retries with backoff, then dead-letters.
public typealias EventHandler = @Sendable (Envelope) async throws -> Void

/// Handles a batch of events of one consumer group's lane, in order, typically in one transaction. Throwing
/// means none was handled: the bus then delivers the batch's events one at a time, with retries, so a single
/// bad event is dead-lettered alone.
public typealias BatchEventHandler = @Sendable ([Envelope]) async throws -> Void

/// Publish/subscribe between modules.
///
/// Topics are event types (`catalog.product-updated.v1`). Each subscription names a consumer group, normally
/// the subscribing service, and the event types it takes: every group gets every event of its types (fan-out),
/// and the members of one group, such as the instances of one service, compete for them, so each event is
/// handled once per group. Events with the same ``Envelope/subject`` reach a group in publish order, across
/// all of its event types.
public protocol MessageBus: Sendable {
    /// Publishes an event to every group subscribed to its type, returning once it is queued everywhere.
    /// Waits while a subscriber's mailbox is full (backpressure); nothing is dropped.
    /// - Throws: ``MessagingError/busClosed`` after shutdown.
    func publish(_ envelope: Envelope) async throws

    /// Publishes events and returns only when every subscribed group has finished with each of them: handled,
    /// or moved to its dead letters after the last retry.
    /// - Throws: ``MessagingError/busClosed`` after shutdown; `CancellationError` if cancelled while waiting.
    func deliver(_ envelopes: [Envelope]) async throws

    /// Queues events for one group only and waits until that group has finished with each of them. Outbox
    /// relays deliver this way, one group at a time, so a slow group delays nobody else; replaying a dead letter
    /// does too. Events of types the group does not take are skipped.
    /// - Throws: ``MessagingError/busClosed`` after shutdown; `CancellationError` if cancelled while waiting.
    func deliver(_ envelopes: [Envelope], toGroup group: String) async throws

    /// Adds a member to the consumer group `subscription.group`, which takes `subscription.eventTypes`.
    /// - Returns: a token that ends this membership when passed to ``unsubscribe(_:)``.
    /// - Precondition: the group's other members take the same event types.
    @discardableResult
    func subscribe(_ subscription: Subscription, handler: @escaping EventHandler) -> SubscriptionToken

    /// Adds a member that takes events in batches (up to 64 at a time, as they queue up), so that, for
    /// example, an inbox can record many events in one transaction. Same group semantics as
    /// ``subscribe(_:handler:)``.
    @discardableResult
    func subscribeInBatches(_ subscription: Subscription, handler: @escaping BatchEventHandler) -> SubscriptionToken

    /// Ends one membership. Events keep queueing for the group while it has no members.
    func unsubscribe(_ token: SubscriptionToken)

    /// The consumer groups and the event types each takes, for relays and operators.
    var consumerGroups: [ConsumerGroupDescription] { get }
}

/// A consumer group as the bus knows it.
public struct ConsumerGroupDescription: Sendable, Hashable {
    /// The group's name.
    public var name: String
    /// The event types it takes, sorted.
    public var eventTypes: [String]

    /// Creates a description.
    public init(name: String, eventTypes: [String]) {
        self.name = name
        self.eventTypes = eventTypes
    }
}

/// Identifies one subscriber's membership in a consumer group.
public struct SubscriptionToken: Hashable, Sendable {
    /// The consumer group joined.
    public let group: String
    let id: Int
}
