/// What a subscriber asks of the bus: its consumer group, the event types it takes, and how events reach it.
///
/// One group per subscribing service spans every event type the service takes, so that events with the same
/// ``Envelope/subject`` reach the service in publish order whatever their types (an order's `placed` before its
/// `paid`). Every member of a group (the instances of one service) subscribes to the same event types.
public struct Subscription: Sendable {
    /// The consumer group, normally the subscribing service's name.
    public var group: String
    /// The event types to receive, each also the topic it is published on.
    public var eventTypes: [String]
    /// How many events of this group are handled at once. Each event goes to one of this many lanes, chosen by
    /// its subject, so events with the same subject stay in order. The group's first subscription decides.
    public var concurrency: Int
    /// How many events each lane holds before publishers wait.
    public var mailboxCapacity: Int
    /// How failed handling is retried before the event becomes a dead letter.
    public var retry: DeliveryRetry
    /// Where this group's dead letters go; `nil` keeps them in the bus's in-memory store.
    public var deadLetters: (any DeadLetterStore)?

    /// Creates a subscription; the defaults suit a service handling its events one at a time, in order.
    /// - Precondition: at least one event type, one lane and one mailbox slot.
    public init(
        group: String,
        eventTypes: [String],
        concurrency: Int = 1,
        mailboxCapacity: Int = 1024,
        retry: DeliveryRetry = DeliveryRetry(),
        deadLetters: (any DeadLetterStore)? = nil
    ) {
        precondition(!eventTypes.isEmpty, "a subscription takes at least one event type")
        precondition(concurrency >= 1, "a subscription needs at least one lane")
        precondition(mailboxCapacity >= 1, "a mailbox needs room for at least one event")
        self.group = group
        self.eventTypes = Array(Set(eventTypes)).sorted()
        self.concurrency = concurrency
        self.mailboxCapacity = mailboxCapacity
        self.retry = retry
        self.deadLetters = deadLetters
    }

    /// Creates a subscription to one event type.
    public init(
        topic: String,
        group: String,
        concurrency: Int = 1,
        mailboxCapacity: Int = 1024,
        retry: DeliveryRetry = DeliveryRetry(),
        deadLetters: (any DeadLetterStore)? = nil
    ) {
        self.init(
            group: group,
            eventTypes: [topic],
            concurrency: concurrency,
            mailboxCapacity: mailboxCapacity,
            retry: retry,
            deadLetters: deadLetters
        )
    }
}

/// Retries of a failed event handler: exponential backoff with jitter, up to an attempt limit.
public struct DeliveryRetry: Sendable, Hashable {
    /// Attempts in all, the first included; after the last failure the event is dead-lettered.
    public var maxAttempts: Int
    /// The wait after the first failure, before jitter.
    public var initialBackoff: Duration
    /// The longest wait between attempts.
    public var maxBackoff: Duration
    /// How much each wait grows.
    public var multiplier: Double

    /// Creates a retry policy. Defaults: 5 attempts, waits of about 50 ms, 100 ms, 200 ms, 400 ms.
    public init(maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(10), multiplier: Double = 2) {
        precondition(maxAttempts >= 1, "at least one attempt")
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    /// The wait after failed attempt number `attempt` (1-based): the exponential step, capped, then "equal
    /// jitter": half of it fixed, half random, so retries of many events spread out but never come too soon.
    public func backoff(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        var step = initialBackoff
        for _ in 1..<max(attempt, 1) where step < maxBackoff {
            step = step * multiplier
        }
        let half = min(step, maxBackoff) / 2
        return half + half * Double.random(in: 0...1, using: &generator)
    }
}
