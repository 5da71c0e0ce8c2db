public import Foundation
public import ServiceKit
public import Storage
import Synchronization
import Telemetry

/// A module's idempotency keys, kept in its own database as its outbox and inbox are: Stripe's semantics for
/// endpoints whose request is an ``ServiceKit/IdempotentRequest``.
///
/// A key is stored, per caller, with the SHA-256 of its request and, once the first request finishes, the
/// response's bytes:
///
/// - same key, same request, finished: the stored response again, byte for byte, marked replayed;
/// - same key, different request: ``ServiceKit/IdempotencyFailure/keyReused`` (the gateway's 422);
/// - same key while the first request runs: ``ServiceKit/IdempotencyFailure/inProgress`` (409);
/// - a key is forgotten ``retention`` (24 hours) after its first use; ``purgeExpired()`` deletes old rows, and
///   an expired key is treated as new even before the purge.
///
/// Only a reply is stored. When the operation throws, declared failure or not, the key is released and a
/// retry with it runs the operation again: the failed operation is expected to have changed nothing. An
/// outcome that must be remembered, such as a declined card, is a reply value (`Payment(status: .declined)`),
/// not a thrown failure.
///
/// A request that crashed mid-flight cannot release its key, so a running request holds the key for a
/// ``lease`` only, 60 seconds by default: after that a retry takes the operation over. The lease must outlast
/// any live request, or a slow one would be overtaken and the operation run twice; endpoint timeouts are a few
/// seconds, so 60 seconds leaves a wide margin while a client retrying after a crash waits at most a minute. A
/// request whose lease was taken over cannot store its response; when it records its reply through an
/// ``IdempotencyCompletion``, its own write transaction rolls back too, so the operation's change is made once.
///
/// ```swift
/// let keys = IdempotencyKeys(database: database)
/// handlers.register(PaymentsEndpoints.charge) { request in
///     try await keys.run(request, for: PaymentsEndpoints.charge) { body, completion in
///         let charge = try await provider.charge(body)
///         return try await database.write { conn in
///             try conn.execute("INSERT INTO charge ...", [...])
///             try completion.record(charge, in: conn)   // the response commits with the state change
///             return charge
///         }
///     }
/// }
/// ```
public struct IdempotencyKeys: Sendable {
    /// How long a running request holds its key by default.
    public static let defaultLease: Duration = .seconds(60)
    /// How long a key is remembered by default: 24 hours, as Stripe keeps them.
    public static let defaultRetention: Duration = .seconds(24 * 60 * 60)

    /// The module's database, which holds the `idempotency_keys` table (see ``IdempotencySchema``).
    public let database: Database
    /// How long a running request holds its key before a retry may take over.
    public let lease: Duration
    /// How long a key is remembered after its first use.
    public let retention: Duration
    let now: @Sendable () -> Date
    /// Leases whose operation failed but whose release could not be stored (the disk was full). This process knows
    /// that nothing runs under them, so a retry takes them over at once rather than waiting out the lease; after a
    /// restart the set is empty and the lease runs out as after a crash.
    let abandoned = AbandonedLeases()

    /// Creates the store of a module's database.
    /// - Parameters:
    ///   - database: The module's database, migrated with ``IdempotencySchema``.
    ///   - lease: How long a running request holds its key; longer than any request may run.
    ///   - retention: How long a key is remembered.
    ///   - now: The wall clock; records carry times across restarts, so it is a date, not a monotonic instant.
    public init(
        database: Database,
        lease: Duration = Self.defaultLease,
        retention: Duration = Self.defaultRetention,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.lease = lease
        self.retention = retention
        self.now = now
    }

    /// The right to run the operation of a key, held until its response is stored or it is released.
    public struct Lease: Sendable, Hashable {
        /// The key.
        public let key: IdempotencyKey
        /// The caller whose key it is; `nil` for anonymous callers.
        public let caller: String?
        /// This holder, to tell it from a request that took the key over later.
        public let id: String
    }

    /// What ``claim(_:caller:requestHash:)`` found.
    public enum Claim: Sendable, Hashable {
        /// The key is new (or its earlier holder's lease ran out): run the operation, then ``complete(_:response:)``
        /// or ``release(_:)``.
        case run(Lease)
        /// The operation ran before with this request: its stored response.
        case replay(Data)
    }

    /// Claims `key` for a request, or finds its earlier outcome.
    /// - Parameters:
    ///   - key: The caller's key.
    ///   - caller: The caller, `nil` when anonymous.
    ///   - requestHash: A digest of the canonical request (SHA-256 of its bytes).
    /// - Throws: ``ServiceKit/IdempotencyFailure/keyReused`` when the key was used with another request hash,
    ///   ``ServiceKit/IdempotencyFailure/inProgress`` while another request holds the key; ``StorageError``.
    public func claim(_ key: IdempotencyKey, caller: String?, requestHash: Data) async throws -> Claim {
        let now = Self.microseconds(now())
        let leaseUntil = now + lease.clampedMicroseconds
        let expiresAt = now + retention.clampedMicroseconds
        let scope = Self.scope(caller)
        let leaseID = UUID().uuidString
        let claimed = Lease(key: key, caller: caller, id: leaseID)
        return try await database.write { connection in
            let existing = try connection.queryFirst(
                "SELECT request_hash, response, lease_id, lease_until_us, expires_at_us FROM idempotency_keys WHERE caller = ? AND key = ?",
                [scope, key.rawValue]
            )
            if let existing, try existing["expires_at_us"] as Int64 > now {
                guard try existing["request_hash"] as Data == requestHash else { throw IdempotencyFailure.keyReused }
                if let response: Data = try existing["response"] { return .replay(response) }
                let holder: String? = try existing["lease_id"]
                if let until: Int64 = try existing["lease_until_us"], until > now, !abandoned.contains(holder) {
                    throw IdempotencyFailure.inProgress
                }
                // The holder's lease ran out (it crashed, or took far longer than any request may), or its operation
                // failed here without being able to give the key up. Take over.
                try connection.execute(
                    "UPDATE idempotency_keys SET lease_id = ?, lease_until_us = ? WHERE caller = ? AND key = ?",
                    [leaseID, leaseUntil, scope, key.rawValue]
                )
                let abandoned = abandoned
                connection.afterCommit { abandoned.remove(holder) }
                return .run(claimed)
            }
            // New, or expired and not purged yet: a fresh key either way.
            try connection.execute(
                """
                INSERT INTO idempotency_keys (caller, key, request_hash, response, lease_id, lease_until_us, created_at_us, expires_at_us)
                VALUES (?, ?, ?, NULL, ?, ?, ?, ?)
                ON CONFLICT (caller, key) DO UPDATE SET
                    request_hash = excluded.request_hash, response = NULL, lease_id = excluded.lease_id,
                    lease_until_us = excluded.lease_until_us, created_at_us = excluded.created_at_us,
                    expires_at_us = excluded.expires_at_us
                """,
                [scope, key.rawValue, requestHash, leaseID, leaseUntil, now, expiresAt]
            )
            return .run(claimed)
        }
    }

    /// Stores the response of a claimed key, in its own transaction.
    /// - Returns: `false` when the lease was lost (another request took the key over): nothing is stored.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func complete(_ lease: Lease, response: Data) async throws -> Bool {
        try await database.write { try Self.complete(lease, response: response, in: $0) }
    }

    /// Stores the response of a claimed key inside the caller's write transaction, so that it commits together
    /// with the operation's state change (or neither does).
    /// - Returns: `false` when the lease was lost (another request took the key over): nothing is stored.
    /// - Throws: ``StorageError``.
    @discardableResult
    public static func complete(_ lease: Lease, response: Data, in connection: Connection) throws -> Bool {
        try connection.execute(
            "UPDATE idempotency_keys SET response = ?, lease_id = NULL, lease_until_us = NULL WHERE caller = ? AND key = ? AND lease_id = ?",
            [response, scope(lease.caller), lease.key.rawValue, lease.id]
        )
        return connection.changes == 1
    }

    /// Gives a claimed key up after the operation failed, so a retry runs it again at once.
    /// - Throws: ``StorageError``; the key is then remembered as given up in this process (see
    ///   ``abandon(_:)``), and a retry takes it over all the same.
    public func release(_ lease: Lease) async throws {
        do {
            try await delete(lease)
        } catch {
            abandon(lease)
            throw error
        }
    }

    /// Remembers, in this process only, that nothing runs under `lease` any more although its record says it does (its
    /// release could not be stored): a retry of its key takes it over at once.
    func abandon(_ lease: Lease) {
        abandoned.insert(lease.id)
    }

    private func delete(_ lease: Lease) async throws {
        try await database.write { connection in
            try connection.execute(
                "DELETE FROM idempotency_keys WHERE caller = ? AND key = ? AND lease_id = ?",
                [Self.scope(lease.caller), lease.key.rawValue, lease.id]
            )
        }
    }

    /// Deletes the keys whose retention has passed.
    /// - Returns: How many were deleted.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let now = Self.microseconds(now())
        return try await database.write { connection in
            try connection.execute("DELETE FROM idempotency_keys WHERE expires_at_us <= ?", [now])
            return connection.changes
        }
    }

    /// How many keys the table holds, expired or not.
    /// - Throws: ``StorageError``.
    public func count() async throws -> Int {
        try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM idempotency_keys") ?? 0 }
    }

    /// The `caller` column: the subject, or the empty string for every anonymous caller (an empty subject is
    /// anonymous too, see ``ServiceKit/IdempotentRequest/caller``).
    static func scope(_ caller: String?) -> String { caller ?? "" }

    static func microseconds(_ date: Date) -> Int64 { Outbox.microseconds(date) }

}

/// The ids of leases given up without their release being stored, shared by every copy of one ``IdempotencyKeys``.
final class AbandonedLeases: Sendable {
    private let ids = Mutex<Set<String>>([])
    /// Beyond this many the oldest knowledge is dropped: those keys wait out their lease instead.
    private static let limit = 10_000

    func insert(_ id: String) {
        ids.withLock { ids in
            if ids.count >= Self.limit { ids.removeAll() }
            ids.insert(id)
        }
    }

    func contains(_ id: String?) -> Bool {
        guard let id else { return false }
        return ids.withLock { $0.contains(id) }
    }

    func remove(_ id: String?) {
        guard let id else { return }
        _ = ids.withLock { $0.remove(id) }
    }
}
