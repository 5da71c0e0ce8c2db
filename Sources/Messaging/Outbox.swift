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

    /// The last sequence number written, 0 for an empty outbox.
    /// - Throws: ``StorageError``.
    public func head() async throws -> Int64 {
        try await database.read { try $0.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM outbox") ?? 0 }
    }

    /// How many events of `eventTypes` come after sequence number `sequence`: what a group that has handled
    /// everything up to `sequence` has yet to handle.
    /// - Throws: ``StorageError``.
    public func pending(after sequence: Int64, eventTypes: [String]) async throws -> Int {
        let types = Self.jsonArray(eventTypes)
        return try await database.read { connection in
            try connection.scalar(
                Int.self,
                "SELECT count(*) FROM outbox WHERE seq > ? AND type IN (SELECT value FROM json_each(?))",
                [sequence, types]
            ) ?? 0
        }
    }

    /// The next events of `eventTypes` after `sequence`, in commit order, and how far the read looked: up to the
    /// last of them when the batch is full, else up to the last event in the outbox, so a group whose types
    /// are rare still moves its cursor past everything else.
    func events(
        after sequence: Int64,
        eventTypes: [String],
        limit: Int
    ) async throws -> (events: [(sequence: Int64, envelope: Envelope)], through: Int64) {
        let types = Self.jsonArray(eventTypes)
        return try await database.read { connection in
            let head = try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM outbox") ?? 0
            var result: [(Int64, Envelope)] = []
            try connection.forEach(
                """
                SELECT seq, id, type, source, subject, time_us, content_type, data, traceparent, correlation_id, causation_id
                FROM outbox WHERE seq > ? AND seq <= ? AND type IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?
                """,
                [sequence, head, types, limit]
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
            let through = result.count == limit ? result[result.count - 1].0 : max(head, sequence)
            return (result, through)
        }
    }

    /// Where consumer group `group` stands: every event up to this sequence number has been handled (or
    /// dead-lettered) by it. `nil` for a group this outbox has never delivered to.
    /// - Throws: ``StorageError``.
    public func cursor(of group: String) async throws -> Int64? {
        try await database.read { try $0.scalar(Int64.self, "SELECT seq FROM outbox_cursor WHERE consumer = ?", [group]) }
    }

    /// Records that `group` has handled everything up to `sequence`.
    func saveCursor(of group: String, at sequence: Int64) async throws {
        let now = Self.microseconds(Date())
        try await database.write { connection in
            try connection.execute(
                """
                INSERT INTO outbox_cursor (consumer, seq, updated_at_us) VALUES (?, ?, ?)
                ON CONFLICT (consumer) DO UPDATE SET seq = max(seq, excluded.seq), updated_at_us = excluded.updated_at_us
                """,
                [group, sequence, now]
            )
        }
    }

    /// Forgets events every group in `groups` has handled by its saved cursor, keeping the most recent `retain`
    /// of them for inspection (and for a group that joins later). A group that has saved no cursor yet holds
    /// everything back: after a crash it would start again at the oldest event kept. With no groups, every event
    /// is handled by nobody and only the most recent `retain` stay.
    /// - Returns: The sequence number through which every group has saved its cursor (the pruning bound before
    ///   `retain` is kept).
    @discardableResult
    func prune(handledBy groups: [String], retain: Int) async throws -> Int64 {
        let names = Self.jsonArray(groups)
        return try await database.write { connection in
            let head = try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM outbox") ?? 0
            var through = head
            if !groups.isEmpty {
                let row = try connection.queryFirst(
                    "SELECT count(*) AS saved, coalesce(min(seq), 0) AS slowest FROM outbox_cursor WHERE consumer IN (SELECT value FROM json_each(?))",
                    [names]
                )
                let saved: Int = try row?["saved"] ?? 0
                through = saved == groups.count ? min(try row?["slowest"] ?? 0, head) : 0
            }
            try connection.execute("DELETE FROM outbox WHERE seq <= ?", [through - Int64(retain)])
            return through
        }
    }

    private static func jsonArray(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

/// Wakes every waiter: a generation count that each ``wake()`` moves on. The outbox's relays wait on one for commits
/// with events; a module may keep one for its own "something changed" (Orders wakes checkouts waiting for their saga).
///
/// A waiter reads ``generation`` before looking at what it waits for and waits only while it is unchanged, so a wake
/// between looking and waiting is never missed.
public final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var released: Set<Int> = []
    }

    private let state = Mutex(State())

    /// A signal no one has woken yet.
    public init() {}

    /// How many times it was woken.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every current waiter and moves the generation on.
    public func wake() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the generation differs from `seen`, after `timeout`, or when the task is cancelled.
    public func wait(after seen: UInt64, timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) async {
        let id = state.withLock { state -> Int? in
            guard state.generation == seen else { return nil }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.generation != seen || state.released.contains(id) { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.release(id)
                }
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
        }
        state.withLock { _ = $0.released.remove(id) }
    }

    private func release(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            state.released.insert(id)
            return nil
        }
        waiter?.resume()
    }
}
