import Foundation
public import Storage

/// A subscriber's inbox: handles each event at most once, whatever the bus redelivers.
///
/// The handler's changes and the record of the event id commit in one write transaction; a second delivery of
/// the same event finds the record and changes nothing. With the outbox's at-least-once delivery this gives
/// effectively-once processing.
///
/// ```swift
/// bus.subscribe(Subscription(topic: ProductUpdated.eventType, group: "search")) { envelope in
///     try await inbox.process(envelope) { conn in
///         let event = try envelope.decode(ProductUpdated.self)
///         try conn.execute("INSERT OR REPLACE INTO document ...", [...])
///     }
/// }
/// ```
public struct Inbox: Sendable {
    /// The subscriber's database, which holds the `inbox` table (see ``MessagingSchema``).
    public let database: Database
    /// The consumer group whose deliveries this inbox records.
    public let consumer: String

    /// Creates the inbox of one consumer in its module's database.
    public init(database: Database, consumer: String) {
        self.database = database
        self.consumer = consumer
    }

    /// Runs `body` and records the event in one write transaction, unless the event was already processed.
    /// - Returns: `true` if `body` ran, `false` for a duplicate.
    /// - Throws: what `body` throws (nothing is recorded then, so a retry runs it again), or ``StorageError``.
    @discardableResult
    public func process(_ envelope: Envelope, _ body: @escaping @Sendable (Connection) throws -> Void) async throws -> Bool {
        let consumer = consumer
        return try await database.write { connection in
            try connection.execute(
                "INSERT INTO inbox (consumer, event_id, type, handled_at_us) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [consumer, envelope.id, envelope.type, Outbox.microseconds(Date())]
            )
            guard connection.changes == 1 else { return false }
            try body(connection)
            return true
        }
    }

    /// Processes a batch in one write transaction: `body` runs for each event not yet processed, in order, and
    /// each is recorded. If `body` throws, nothing of the batch is kept and the error propagates (the bus then
    /// retries the events one by one).
    /// - Returns: how many events were processed now (duplicates excluded).
    /// - Throws: what `body` throws, or ``StorageError``.
    @discardableResult
    public func process(batch envelopes: [Envelope], _ body: @escaping @Sendable (Connection, Envelope) throws -> Void) async throws -> Int {
        let consumer = consumer
        return try await database.write { connection in
            let now = Outbox.microseconds(Date())
            var processed = 0
            for envelope in envelopes {
                try connection.execute(
                    "INSERT INTO inbox (consumer, event_id, type, handled_at_us) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [consumer, envelope.id, envelope.type, now]
                )
                guard connection.changes == 1 else { continue }
                try body(connection, envelope)
                processed += 1
            }
            return processed
        }
    }

    /// Whether an event was already processed.
    /// - Throws: ``StorageError``.
    public func hasProcessed(eventID: String) async throws -> Bool {
        let consumer = consumer
        return try await database.read { connection in
            try connection.queryFirst("SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?", [consumer, eventID]) != nil
        }
    }
}
