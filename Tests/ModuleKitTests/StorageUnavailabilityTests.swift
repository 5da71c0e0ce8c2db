import Foundation
import Messaging
import ModuleKit
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// A module's storage that cannot write makes the module unavailable (`storage-unavailable`, which the gateway answers
/// 503); other storage errors do not.
@Suite struct StorageUnavailabilityTests {
    private static let endpoint = Endpoint<IdempotentRequest<String>, IdempotentReply<String>>("notes.add", failure: NotesFailure.self)

    private enum NotesFailure: ServiceFailure {
        case refused
        var problemType: String { "note-refused" }
        var detail: String { "The note was refused." }
    }

    /// A database in a temporary directory with a `note` table, as a module's.
    private static func database(in directory: TemporaryDirectory) throws -> Database {
        let database = try Database(path: directory.path("notes.sqlite"))
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        IdempotencySchema.register(in: &migrator)
        migrator.add("notes-1", sql: "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
        try migrator.migrate(database)
        return database
    }

    /// The error of a write that needs a page more than the file may have: SQLite's `SQLITE_FULL`, as on a full disk.
    private static func fullError(_ database: Database) async throws -> StorageError {
        do {
            try await database.write { connection in
                // No page beyond those the file has: what a full disk leaves a growing database.
                try connection.execute("PRAGMA max_page_count = 1")
                try connection.execute("INSERT INTO note (text) VALUES (?)", [String(repeating: "a", count: 100_000)])
            }
        } catch let error as StorageError {
            return error
        }
        throw NotFull()
    }

    private struct NotFull: Error, CustomStringConvertible {
        var description: String { "a write beyond max_page_count succeeded" }
    }

    @Test func aFullOrReadOnlyStorageIsUnavailableAndOtherErrorsAreNot() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(in: directory)

        let full = try await Self.fullError(database)
        #expect(full.resultCode == .full, "\(full)")
        #expect(
            full.unavailability
                == Unavailability(
                    problemType: "storage-unavailable",
                    detail: "The service cannot store anything right now (its disk is full); nothing was changed. Try again later.",
                    retryAfterSeconds: 30
                )
        )
        // Nothing was changed: the transaction rolled back.
        #expect(try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM note") } == 0)

        do {
            try await database.write { connection in
                try connection.execute("PRAGMA query_only = ON")
                defer { try? connection.execute("PRAGMA query_only = OFF") }
                try connection.execute("INSERT INTO note (text) VALUES ('b')")
            }
            Issue.record("a write to a read-only database succeeded")
        } catch let error as StorageError {
            #expect(error.resultCode?.primary == .readOnly, "\(error)")
            #expect(
                error.unavailability?.detail
                    == "The service cannot store anything right now (its storage is read-only); nothing was changed. Try again later."
            )
        }

        try await database.write { try $0.execute("INSERT INTO note (text) VALUES ('c')") }
        do {
            try await database.write { try $0.execute("INSERT INTO note (text) VALUES ('c')") }
            Issue.record("a duplicate note was stored")
        } catch let error as StorageError {
            #expect(error.isConstraintViolation)
            #expect(error.unavailability == nil, "a constraint is the request's fault, not the storage's")
        }
    }

    private struct NoteAdded: DomainEvent {
        static let eventType = "notes.note-added.v1"
        var number: Int
    }

    @Test func aRelayWhoseStorageCannotWriteGoesOnAndCatchesUpWhenItCan() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(in: directory)
        let outbox = Outbox(database: database, name: "notes")
        let bus = InProcessMessageBus()
        let gate = Gate()
        let handled = Atomic<Int>(0)
        let saves = Atomic<Int>(0)
        let ended = Atomic<Bool>(false)
        // A group name as long as a page: its cursor's row needs pages of its own, which a full disk does not give.
        let group = String(repeating: "m", count: 5000)
        bus.subscribe(Subscription(topic: NoteAdded.eventType, group: group)) { envelope in
            if try envelope.decode(NoteAdded.self).number == 1 { await gate.wait() }
            handled.add(1, ordering: .sequentiallyConsistent)
        }
        let relay = OutboxRelay(outbox: outbox, bus: bus, pollInterval: .milliseconds(10), retain: 0) { _, _ in
            saves.add(1, ordering: .sequentiallyConsistent)
        }
        func add(_ number: Int) async throws {
            try await database.write { connection in
                try outbox.enqueue(try Envelope(NoteAdded(number: number), source: "/notes", subject: "n"), in: connection)
            }
        }
        let running = Task {
            defer { ended.store(true, ordering: .sequentiallyConsistent) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bus.run() }
                group.addTask { try await relay.run() }
                try await group.next()
                group.cancelAll()
            }
        }
        try await add(1)
        try await waitUntil("the first event is being handled") { gate.arrivals == 1 }
        // The disk fills while the event is handled: its cursor cannot be saved.
        try await database.write { try $0.execute("PRAGMA max_page_count = 1") }
        gate.open()
        try await waitUntil("the relay tried to save the cursor again and again") {
            saves.load(ordering: .sequentiallyConsistent) >= 5
        }
        #expect(handled.load(ordering: .sequentiallyConsistent) == 1)
        let stopped = ended.load(ordering: .sequentiallyConsistent)
        #expect(!stopped, "the relay stopped on a storage that cannot write")

        // Room again: the next event is relayed, and the cursor saved past both.
        try await database.write { try $0.execute("PRAGMA max_page_count = 1000000") }
        try await add(2)
        try await waitUntil("the second event is handled and both are saved") {
            let saved = try await outbox.cursor(of: group)
            return handled.load(ordering: .sequentiallyConsistent) == 2 && saved == 2
        }
        let stoppedLater = ended.load(ordering: .sequentiallyConsistent)
        #expect(!stoppedLater)
        running.cancel()
        _ = await running.result
    }

    @Test func aReplyThatCannotBeStoredForAFullDiskIsAnsweredAllTheSame() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(in: directory)
        let keys = IdempotencyKeys(database: database)
        let request = IdempotentRequest(key: try IdempotencyKey("k-1"), caller: "alice", body: "a long note")
        // The operation takes effect, then the disk fills before its (long) reply is stored: the caller must not be told
        // that nothing happened.
        let reply = try await keys.run(request, for: Self.endpoint) { body in
            try await database.write { try $0.execute("INSERT INTO note (text) VALUES (?)", [body]) }
            try await database.write { try $0.execute("PRAGMA max_page_count = 1") }
            return String(repeating: "x", count: 100_000)
        }
        #expect(reply.body.count == 100_000)
        #expect(!reply.replayed)
        #expect(try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM note") } == 1)
        // The key keeps its lease, as after a crash: the same request waits rather than running the operation again.
        await #expect(throws: IdempotencyFailure.inProgress) {
            try await keys.run(request, for: Self.endpoint) { _ in "again" }
        }
    }
}
