import Foundation
public import Storage
import Synchronization

/// A module's outbox: events written in the same transaction as the state change they describe, then
/// published by an ``OutboxRelay``. Nothing is published that was not committed, and nothing committed is lost.
///
/// ```swift
/// try db.write { conn in
///     try conn.execute("UPDATE product SET price = ? WHERE id = ?", [price, id])
///     try outbox.enqueue(try Envelope(ProductUpdated(...), source: "/emporium/catalog", subject: id), in: conn)
/// }
/// ```
public final class Outbox: Sendable {
    /// The module's database, which holds the `outbox` table (see ``MessagingSchema``).
    public let database: Database
    /// The owning module's name, used as the `outbox` label of its metrics.
    public let name: String
    let signal = WakeSignal()

    /// Creates the outbox of a module's database.
    public init(database: Database, name: String) {
        self.database = database
        self.name = name
    }

    /// Adds an event to the outbox inside the caller's write transaction; the relay is woken when it commits.
    /// - Throws: ``StorageError``.
    public func enqueue(_ envelope: Envelope, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO outbox (id, type, source, subject, time_us, content_type, data, traceparent, correlation_id, causation_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                envelope.id, envelope.type, envelope.source, envelope.subject, Self.microseconds(envelope.time),
                envelope.dataContentType, envelope.data, envelope.traceParent, envelope.correlationID, envelope.causationID,
            ]
        )
        let signal = signal
        connection.afterCommit { signal.wake() }
    }

    /// How many events wait to be published.
    /// - Throws: ``StorageError``.
    public func backlog() async throws -> Int {
        try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox WHERE sent_at_us IS NULL") ?? 0 }
    }

    /// The oldest unsent events after `sequence`, in commit order, with their sequence numbers.
    func unsent(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, envelope: Envelope)] {
        try await database.read { connection in
            var result: [(Int64, Envelope)] = []
            try connection.forEach(
                """
                SELECT seq, id, type, source, subject, time_us, content_type, data, traceparent, correlation_id, causation_id
                FROM outbox WHERE sent_at_us IS NULL AND seq > ? ORDER BY seq LIMIT ?
                """,
                [sequence, limit]
            ) { row in
                let envelope = Envelope(
                    id: try row["id"],
                    source: try row["source"],
                    type: try row["type"],
                    time: Self.date(microseconds: try row["time_us"]),
                    subject: try row["subject"],
                    dataContentType: try row["content_type"],
                    data: try row["data"],
                    traceParent: try row["traceparent"],
                    correlationID: try row["correlation_id"],
                    causationID: try row["causation_id"]
                )
                result.append((try row["seq"], envelope))
            }
            return result
        }
    }

    /// Marks every unsent event up to `sequence` sent, and forgets sent events beyond the most recent `retain`.
    func markSent(through sequence: Int64, retain: Int) async throws {
        let now = Self.microseconds(Date())
        try await database.write { connection in
            try connection.execute("UPDATE outbox SET sent_at_us = ? WHERE seq <= ? AND sent_at_us IS NULL", [now, sequence])
            try connection.execute(
                "DELETE FROM outbox WHERE sent_at_us IS NOT NULL AND seq <= ?",
                [sequence - Int64(retain)]
            )
        }
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

/// Wakes one waiter; a wake with nobody waiting is remembered for the next wait.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next wake (or at once if one is pending), after `timeout`, or when the task is cancelled.
    func wait(timeout: Duration, clock: any Clock<Duration>) async {
        let consumed = state.withLock { state -> Bool in
            defer { state.pending = false }
            return state.pending
        }
        if consumed { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.pending {
                                state.pending = false
                                return true
                            }
                            state.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.wake()
                }
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
        }
        // A wake that raced the timeout is consumed with this wait: the caller looks at the outbox next anyway.
        state.withLock { $0.pending = false }
    }
}
