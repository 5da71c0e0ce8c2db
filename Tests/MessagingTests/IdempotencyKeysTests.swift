import Foundation
import Messaging
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// A charge service's endpoint, reply and database, to run requests through the store as a handler would.
private struct ChargeRequest: Codable, Sendable, Hashable {
    var amount: Int
    var note: String
}

private struct Charge: Codable, Sendable, Hashable {
    var id: String
    var amount: Int
    var at: Date
}

private enum ChargeError: ServiceFailure {
    case declined

    var problemType: String { "card-declined" }
    var detail: String { "The card was declined." }
}

private enum ChargeEndpoints {
    static let charge = Endpoint<IdempotentRequest<ChargeRequest>, IdempotentReply<Charge>>("payments.charge", failure: ChargeError.self)
    static let refund = Endpoint<IdempotentRequest<ChargeRequest>, IdempotentReply<Charge>>("payments.refund", failure: ChargeError.self)
}

/// A wall clock the test moves by hand.
private final class TestWallClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A module's database in a temporary directory, migrated with the idempotency table and a `charge` table.
// @unchecked: its one non-Sendable part, the TemporaryDirectory, is never changed after it is created.
private struct Fixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let clock = TestWallClock()
    let database: Database
    let keys: IdempotencyKeys

    init() throws {
        directory = try TemporaryDirectory()
        (database, keys) = try Self.open(directory, clock: clock)
    }

    static func open(_ directory: TemporaryDirectory, clock: TestWallClock) throws -> (Database, IdempotencyKeys) {
        let database = try Database(path: directory.path("payments.sqlite"))
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        IdempotencySchema.register(in: &migrator)
        migrator.add("payments-1-charges", sql: "CREATE TABLE charge (id TEXT PRIMARY KEY, amount INTEGER NOT NULL)")
        try migrator.migrate(database)
        return (database, IdempotencyKeys(database: database, now: { clock.now }))
    }

    func request(_ key: String, caller: String? = "alice", amount: Int = 500, note: String = "lamp") throws -> IdempotentRequest<ChargeRequest> {
        IdempotentRequest(key: try IdempotencyKey(key), caller: caller, body: ChargeRequest(amount: amount, note: note))
    }

    func charges() async throws -> Int {
        try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM charge") ?? 0 }
    }

    /// The charge handler: inserts a charge and records its reply in the same transaction.
    func charge(_ request: IdempotentRequest<ChargeRequest>, runs: Counter? = nil, gate: Gate? = nil) async throws -> IdempotentReply<Charge> {
        try await keys.run(request, for: ChargeEndpoints.charge) { body, completion in
            runs?.increment()
            await gate?.wait()
            let charge = Charge(id: UUID().uuidString, amount: body.amount, at: Date(timeIntervalSince1970: 1_700_000_000.123456))
            return try await database.write { connection in
                try connection.execute("INSERT INTO charge (id, amount) VALUES (?, ?)", [charge.id, charge.amount])
                try completion.record(charge, in: connection)
                return charge
            }
        }
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite struct IdempotencyKeysTests {
    private static let hashA = Data(repeating: 0xA, count: 32)
    private static let hashB = Data(repeating: 0xB, count: 32)

    @Test func theSameRequestAgainGetsTheStoredResponseByteForByte() async throws {
        let fixture = try Fixture()
        let key = try IdempotencyKey("k-1")
        guard case .run(let lease) = try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) else {
            Issue.record("a new key is not run")
            return
        }
        let response = Data(#"{"id":"ch_1","amount":500}"#.utf8)
        #expect(try await fixture.keys.complete(lease, response: response))
        #expect(try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) == .replay(response))
        #expect(try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) == .replay(response))
    }

    @Test func aHandlerRunsOnceAndItsReplayIsMarkedAndEqual() async throws {
        let fixture = try Fixture()
        let runs = Counter()
        let first = try await fixture.charge(try fixture.request("k-1"), runs: runs)
        let second = try await fixture.charge(try fixture.request("k-1"), runs: runs)
        #expect(!first.replayed)
        #expect(second.replayed)
        #expect(second.body == first.body, "the fractional seconds of a date survive the stored bytes too")
        #expect(runs.value == 1)
        #expect(try await fixture.charges() == 1)
        // The simple overload, whose reply is stored after the operation, behaves the same.
        let simpleRuns = Counter()
        let simple: () async throws -> IdempotentReply<Charge> = {
            try await fixture.keys.run(try fixture.request("k-2"), for: ChargeEndpoints.charge) { body in
                simpleRuns.increment()
                return Charge(id: "ch_simple", amount: body.amount, at: Date(timeIntervalSince1970: 1_700_000_000.5))
            }
        }
        let simpleFirst = try await simple()
        let simpleSecond = try await simple()
        #expect(!simpleFirst.replayed && simpleSecond.replayed && simpleFirst.body == simpleSecond.body)
        #expect(simpleRuns.value == 1)
    }

    @Test func aKeyWhoseFailedOperationCouldNotBeReleasedIsTakenOverAtOnce() async throws {
        let fixture = try Fixture()
        // The storage refuses the release, as a full disk does: the record still says the first request holds the key.
        try await fixture.database.write { connection in
            try connection.execute("CREATE TRIGGER refuse_release BEFORE DELETE ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        let request = try fixture.request("k-1")
        await #expect(throws: ChargeError.declined) {
            try await fixture.keys.run(request, for: ChargeEndpoints.charge) { _ -> Charge in throw ChargeError.declined }
        }
        try await fixture.database.write { try $0.execute("DROP TRIGGER refuse_release") }
        // This process knows the operation failed: the retry runs it now instead of waiting a minute for the lease.
        let runs = Counter()
        let retried = try await fixture.charge(request, runs: runs)
        #expect(!retried.replayed)
        #expect(runs.value == 1)
        #expect(try await fixture.charges() == 1)
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        let fixture = try Fixture()
        let key = try IdempotencyKey("k-1")
        _ = try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA)
        await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashB) }

        _ = try await fixture.charge(try fixture.request("k-2", amount: 500))
        await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.charge(try fixture.request("k-2", amount: 501)) }
        await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.charge(try fixture.request("k-2", note: "desk")) }
        // The endpoint is part of the request: the same key and body sent to another endpoint is another request.
        await #expect(throws: IdempotencyFailure.keyReused) {
            try await fixture.keys.run(try fixture.request("k-2"), for: ChargeEndpoints.refund) { body in
                Charge(id: "refund", amount: body.amount, at: Date())
            }
        }
        #expect(try await fixture.charges() == 1)
    }

    @Test func aKeyInFlightIsBusyUntilItsRequestFinishes() async throws {
        let fixture = try Fixture()
        let gate = Gate()
        let runs = Counter()
        let first = Task { try await fixture.charge(try fixture.request("k-1"), runs: runs, gate: gate) }
        try await waitUntil("the first request runs") { gate.arrivals == 1 }
        await #expect(throws: IdempotencyFailure.inProgress) { try await fixture.charge(try fixture.request("k-1"), runs: runs) }
        gate.open()
        let answer = try await first.value
        #expect(!answer.replayed)
        let replay = try await fixture.charge(try fixture.request("k-1"), runs: runs)
        #expect(replay.replayed && replay.body == answer.body)
        #expect(runs.value == 1)
    }

    @Test func aCrashedRequestsKeyIsTakenOverAfterItsLease() async throws {
        let fixture = try Fixture()
        let key = try IdempotencyKey("k-1")
        guard case .run(let crashed) = try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) else {
            Issue.record("a new key is not run")
            return
        }
        // The first request never finishes. Within its lease the key stays busy.
        fixture.clock.advance(by: 59)
        await #expect(throws: IdempotencyFailure.inProgress) { try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) }
        fixture.clock.advance(by: 2)
        guard case .run(let takeover) = try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) else {
            Issue.record("the key was not taken over after the lease")
            return
        }
        #expect(takeover.id != crashed.id)
        // The overtaken request, should it wake up, stores nothing; the one that took over answers later retries.
        #expect(try await fixture.keys.complete(crashed, response: Data("late".utf8)) == false)
        #expect(try await fixture.keys.complete(takeover, response: Data("first".utf8)))
        #expect(try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashA) == .replay(Data("first".utf8)))
        // Even after the lease, a different request is still refused.
        await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.keys.claim(key, caller: "alice", requestHash: Self.hashB) }
    }

    @Test func anOvertakenHandlerCannotCommitItsChange() async throws {
        let fixture = try Fixture()
        let gate = Gate()
        let slow = Task { try await fixture.charge(try fixture.request("k-1"), gate: gate) }
        try await waitUntil("the first request runs") { gate.arrivals == 1 }
        fixture.clock.advance(by: 61)
        let takeover = try await fixture.charge(try fixture.request("k-1"))
        #expect(!takeover.replayed)
        gate.open()
        await #expect(throws: IdempotencyFailure.inProgress) { try await slow.value }
        #expect(try await fixture.charges() == 1, "the overtaken request's insert rolled back with its record")
        #expect(try await fixture.charge(try fixture.request("k-1")).body == takeover.body)
    }

    @Test func aFailedOperationReleasesItsKey() async throws {
        let fixture = try Fixture()
        let attempts = Counter()
        let request = try fixture.request("k-1")
        let declineFirst: () async throws -> IdempotentReply<Charge> = {
            try await fixture.keys.run(request, for: ChargeEndpoints.charge) { body in
                attempts.increment()
                if attempts.value == 1 { throw ChargeError.declined }
                return Charge(id: "ch_2", amount: body.amount, at: Date(timeIntervalSince1970: 0))
            }
        }
        await #expect(throws: ChargeError.declined) { try await declineFirst() }
        #expect(try await fixture.keys.count() == 0)
        #expect(try await declineFirst().replayed == false)
        #expect(try await declineFirst().replayed == true)
        #expect(attempts.value == 2)
    }

    @Test func keysExpireAfter24HoursAndArePurged() async throws {
        let fixture = try Fixture()
        let first = try await fixture.charge(try fixture.request("k-1"))
        fixture.clock.advance(by: 12 * 3600)
        _ = try await fixture.charge(try fixture.request("k-2"))
        fixture.clock.advance(by: 12 * 3600 - 1)
        #expect(try await fixture.charge(try fixture.request("k-1")).replayed, "still remembered a second before 24 hours")
        fixture.clock.advance(by: 1)
        // Expired: a new operation, even with another request, before any purge.
        let again = try await fixture.charge(try fixture.request("k-1", amount: 900))
        #expect(!again.replayed && again.body != first.body)
        #expect(try await fixture.keys.count() == 2)
        fixture.clock.advance(by: 12 * 3600)
        #expect(try await fixture.keys.purgeExpired() == 1, "k-2 expired, the renewed k-1 did not")
        #expect(try await fixture.keys.count() == 1)
        fixture.clock.advance(by: 12 * 3600)
        #expect(try await fixture.keys.purgeExpired() == 1)
        #expect(try await fixture.keys.count() == 0)
    }

    @Test func keysAreScopedPerCaller() async throws {
        let fixture = try Fixture()
        let runs = Counter()
        let alice = try await fixture.charge(try fixture.request("k-1", caller: "alice"), runs: runs)
        let bob = try await fixture.charge(try fixture.request("k-1", caller: "bob", amount: 700), runs: runs)
        let anonymous = try await fixture.charge(try fixture.request("k-1", caller: nil), runs: runs)
        #expect(!alice.replayed && !bob.replayed && !anonymous.replayed)
        #expect(runs.value == 3)
        #expect(try await fixture.charge(try fixture.request("k-1", caller: "bob", amount: 700)).body == bob.body)
        #expect(try await fixture.charge(try fixture.request("k-1", caller: "")).body == anonymous.body, "an empty subject is anonymous")
        await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.charge(try fixture.request("k-1", caller: "alice", amount: 700)) }
    }

    @Test func storedResponsesSurviveReopeningTheDatabase() async throws {
        var fixture: Fixture? = try Fixture()
        let directory = fixture!.directory
        let clock = fixture!.clock
        let first = try await fixture!.charge(try fixture!.request("k-1"))
        let key = try IdempotencyKey("k-2")
        _ = try await fixture!.keys.claim(key, caller: "alice", requestHash: Self.hashA)
        fixture!.database.close()
        fixture = nil

        let (database, keys) = try Fixture.open(directory, clock: clock)
        defer { database.close() }
        let request = IdempotentRequest(key: try IdempotencyKey("k-1"), caller: "alice", body: ChargeRequest(amount: 500, note: "lamp"))
        let reply = try await keys.run(request, for: ChargeEndpoints.charge) { _ -> Charge in
            Issue.record("the operation ran again after reopening")
            throw ChargeError.declined
        }
        #expect(reply.replayed && reply.body == first.body)
        // The in-flight key is still in flight: its lease is on the wall clock, not in the process.
        await #expect(throws: IdempotencyFailure.inProgress) { try await keys.claim(key, caller: "alice", requestHash: Self.hashA) }
    }

    @Test func thePurgerDeletesExpiredKeysWhileItRuns() async throws {
        let fixture = try Fixture()
        _ = try await fixture.charge(try fixture.request("k-1"))
        fixture.clock.advance(by: 25 * 3600)
        let purger = IdempotencyKeyPurger(keys: fixture.keys, module: "payments", clock: ManualClock())
        #expect(purger.name == "idempotency-purger.payments")
        let running = Task { try await purger.run() }
        try await waitUntil("the expired key is purged") { try await fixture.keys.count() == 0 }
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }
    }

    @Test func theRequestHashIsTheEndpointAndTheCanonicalBody() throws {
        struct Body: Encodable {
            var b = 2
            var a = 1
        }
        let hash = try IdempotencyKeys.requestHash(Body(), endpoint: "payments.charge")
        #expect(hash.count == 32)
        // SHA-256 of "payments.charge\n{"a":1,"b":2}": sorted keys, so field order does not matter.
        #expect(hash.map { String(format: "%02x", $0) }.joined() == "330fa39b20462e860f7f55484d14888c10649dd4a8a20ffcee5922b8148360f5")
    }
}
