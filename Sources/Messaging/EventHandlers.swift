public import Storage

/// A service's event handlers, one per event type, each receiving the decoded event: the event types a
/// subscription takes are the types handlers were added for, so no list is kept by hand and no handler
/// switches on type names.
///
/// ```swift
/// var handlers = EventHandlers()
/// handlers.on(OrderPlaced.self) { event, envelope in try await shipments.prepare(event.order) }
/// handlers.on(OrderCancelled.self) { event, _ in try await shipments.cancel(event.orderID) }
/// bus.subscribe(group: "warehouse", to: handlers)
/// ```
public struct EventHandlers: Sendable {
    private var handlers: [String: @Sendable (Envelope) async throws -> Void] = [:]

    /// No handlers yet.
    public init() {}

    /// Handles events of type `E` with `handler`.
    /// - Precondition: `E` has no handler yet.
    public mutating func on<E: DomainEvent>(_: E.Type, _ handler: @escaping @Sendable (E, Envelope) async throws -> Void) {
        precondition(handlers[E.eventType] == nil, "\(E.eventType) is handled twice")
        handlers[E.eventType] = { envelope in try await handler(try envelope.decode(E.self), envelope) }
    }

    /// The event types handled, sorted.
    public var eventTypes: [String] { handlers.keys.sorted() }

    /// Decodes `envelope` and runs its type's handler.
    /// - Throws: ``MessagingError/wrongEventType(expected:actual:)`` for a type without a handler, a
    ///   `DecodingError` for a malformed payload, or what the handler throws.
    public func handle(_ envelope: Envelope) async throws {
        guard let handler = handlers[envelope.type] else {
            throw MessagingError.wrongEventType(expected: eventTypes.joined(separator: " or "), actual: envelope.type)
        }
        try await handler(envelope)
    }
}

/// A service's event handlers that change its database: each runs inside the write transaction in which its
/// ``Inbox`` records the event, so an event's effects and the record of having handled it commit together
/// (effectively once, whatever the bus redelivers).
///
/// ```swift
/// var handlers = TransactionalEventHandlers()
/// handlers.on(ProductUpdated.self) { event, envelope, connection in
///     try connection.execute("UPDATE line SET price_minor = ? WHERE product_id = ?", [...])
/// }
/// bus.subscribe(group: "cart", through: inbox, to: handlers)
/// ```
public struct TransactionalEventHandlers: Sendable {
    private var handlers: [String: @Sendable (Envelope, Connection) throws -> Void] = [:]

    /// No handlers yet.
    public init() {}

    /// Handles events of type `E` with `handler`, inside the inbox's transaction.
    /// - Precondition: `E` has no handler yet.
    public mutating func on<E: DomainEvent>(_: E.Type, _ handler: @escaping @Sendable (E, Envelope, Connection) throws -> Void) {
        precondition(handlers[E.eventType] == nil, "\(E.eventType) is handled twice")
        handlers[E.eventType] = { envelope, connection in try handler(try envelope.decode(E.self), envelope, connection) }
    }

    /// The event types handled, sorted.
    public var eventTypes: [String] { handlers.keys.sorted() }

    /// Decodes `envelope` and runs its type's handler on `connection`.
    /// - Throws: ``MessagingError/wrongEventType(expected:actual:)`` for a type without a handler, a
    ///   `DecodingError` for a malformed payload, or what the handler throws.
    public func handle(_ envelope: Envelope, in connection: Connection) throws {
        guard let handler = handlers[envelope.type] else {
            throw MessagingError.wrongEventType(expected: eventTypes.joined(separator: " or "), actual: envelope.type)
        }
        try handler(envelope, connection)
    }
}

/// How a consumer group's events are handled and retried: what a module declares, and the wiring subscribes
/// under the module's name.
public struct EventSubscription: Sendable {
    /// The event types taken.
    public let eventTypes: [String]
    /// Events handled at once (lanes by subject).
    public var concurrency: Int
    /// Retries before an event becomes a dead letter.
    public var retry: DeliveryRetry
    private let join: @Sendable (any MessageBus, Subscription) -> SubscriptionToken

    /// Events handled one at a time by `handlers`.
    public init(_ handlers: EventHandlers, concurrency: Int = 1, retry: DeliveryRetry = DeliveryRetry()) {
        precondition(!handlers.eventTypes.isEmpty, "a subscription handles at least one event type")
        eventTypes = handlers.eventTypes
        self.concurrency = concurrency
        self.retry = retry
        join = { bus, subscription in bus.subscribe(subscription) { try await handlers.handle($0) } }
    }

    /// Events handled in batches through `inbox`, each batch in one write transaction (effectively once).
    public init(through inbox: Inbox, _ handlers: TransactionalEventHandlers, concurrency: Int = 1, retry: DeliveryRetry = DeliveryRetry()) {
        precondition(!handlers.eventTypes.isEmpty, "a subscription handles at least one event type")
        eventTypes = handlers.eventTypes
        self.concurrency = concurrency
        self.retry = retry
        join = { bus, subscription in
            bus.subscribeInBatches(subscription) { envelopes in
                try await inbox.process(batch: envelopes) { connection, envelope in try handlers.handle(envelope, in: connection) }
            }
        }
    }

    /// Joins consumer group `group` on `bus`.
    /// - Parameters:
    ///   - group: The group, normally the service's name.
    ///   - bus: The bus.
    ///   - deadLetters: Where events go after the last retry; the bus's in-memory store when `nil`.
    /// - Returns: The membership's token.
    @discardableResult
    public func subscribe(as group: String, on bus: any MessageBus, deadLetters: (any DeadLetterStore)? = nil) -> SubscriptionToken {
        join(bus, Subscription(group: group, eventTypes: eventTypes, concurrency: concurrency, retry: retry, deadLetters: deadLetters))
    }
}
