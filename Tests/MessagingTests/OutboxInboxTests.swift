import Foundation
import Messaging
import Storage
import TestSupport
import Testing

private func migratedDatabase(_ directory: TemporaryDirectory, _ name: String, _ sql: String) throws -> Database {
    let db = try Database(path: directory.path(name))
    var migrator = Migrator()
    MessagingSchema.register(in: &migrator)
    migrator.add("\(name)-1", sql: sql)
    try migrator.migrate(db)
    return db
}

/// Runs the bus and the given relays while `body` runs.
private func withRunning<T: Sendable>(_ bus: InProcessMessageBus, relays: [OutboxRelay], _ body: () async throws -> T) async throws -> T {
    try await withRunningBus(bus) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for relay in relays { group.addTask { try await relay.run() } }
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        }
    }
}

@Suite struct OutboxInboxTests {
    @Test func committedEventsArePublishedPromptlyAndRolledBackOnesNever() async throws {
        let directory = try TemporaryDirectory()
        let db = try migratedDatabase(directory, "a.sqlite", "CREATE TABLE item (id INTEGER PRIMARY KEY)")
        let outbox = Outbox(database: db, name: "a")
        let bus = InProcessMessageBus()
        let seen = Recorder<Int>()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "watcher")) { seen.append(try $0.decode(TestEvent.self).number) }
        // A poll interval far beyond the test's deadline: only the commit wake-up can make the event arrive in time.
        let relay = OutboxRelay(outbox: outbox, bus: bus, pollInterval: .seconds(3600))
        try await withRunning(bus, relays: [relay]) {
            try await Task.sleep(for: .milliseconds(10))
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.write { conn in
                    try conn.execute("INSERT INTO item (id) VALUES (1)")
                    try outbox.enqueue(try envelope(1), in: conn)
                    throw Abort()
                }
            }
            try await db.write { conn in
                try conn.execute("INSERT INTO item (id) VALUES (2)")
                try outbox.enqueue(try envelope(2), in: conn)
                try outbox.enqueue(try envelope(3), in: conn)
            }
            try await waitUntil("events 2 and 3 arrive", timeout: .seconds(5)) { seen.count == 2 }
            try await waitUntil("the outbox is drained") { try await outbox.backlog() == 0 }
        }
        #expect(seen.all == [2, 3])
    }

    @Test func unsentEventsFromBeforeARestartArePublishedInOrder() async throws {
        let directory = try TemporaryDirectory()
        let db = try migratedDatabase(directory, "a.sqlite", "CREATE TABLE item (id INTEGER PRIMARY KEY)")
        let outbox = Outbox(database: db, name: "a")
        // Written while no relay runs, as if the process had crashed before publishing.
        try await db.write { conn in
            for number in 1...600 { try outbox.enqueue(try envelope(number, subject: "s"), in: conn) }
        }
        #expect(try await outbox.backlog() == 600)
        let bus = InProcessMessageBus()
        let seen = Recorder<Int>()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "watcher")) { seen.append(try $0.decode(TestEvent.self).number) }
        try await withRunning(bus, relays: [OutboxRelay(outbox: outbox, bus: bus, batchSize: 64, retainSent: 10)]) {
            try await waitUntil("the backlog is published") { try await outbox.backlog() == 0 }
        }
        #expect(seen.all == Array(1...600))
        // Sent events beyond the retention are deleted; the most recent ones stay for inspection.
        let kept = try await db.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox") }
        #expect((10...64 + 10).contains(kept ?? 0))
    }

    @Test func theInboxProcessesAnEventOnceHoweverOftenItArrives() async throws {
        let directory = try TemporaryDirectory()
        let db = try migratedDatabase(directory, "b.sqlite", "CREATE TABLE tally (n INTEGER NOT NULL)")
        let inbox = Inbox(database: db, consumer: "tally")
        let event = try envelope(1)
        struct Boom: Error {}
        // A failed attempt records nothing, so the redelivery runs the handler again.
        await #expect(throws: Boom.self) {
            try await inbox.process(event) { _ in throw Boom() }
        }
        #expect(try await inbox.hasProcessed(eventID: event.id) == false)
        #expect(try await inbox.process(event) { try $0.execute("INSERT INTO tally (n) VALUES (1)") })
        #expect(try await inbox.process(event) { try $0.execute("INSERT INTO tally (n) VALUES (1)") } == false)
        #expect(try await inbox.hasProcessed(eventID: event.id))
        #expect(try await db.read { try $0.scalar(Int.self, "SELECT count(*) FROM tally") } == 1)
        // Another consumer in the same database keeps its own record.
        let other = Inbox(database: db, consumer: "other")
        #expect(try await other.process(event) { _ in })
    }

    @Test func deadLettersPersistInTheSubscribersDatabase() async throws {
        let directory = try TemporaryDirectory()
        let db = try migratedDatabase(directory, "b.sqlite", "CREATE TABLE x (n INTEGER)")
        let store = SQLiteDeadLetterStore(database: db)
        let bus = InProcessMessageBus()
        let retry = DeliveryRetry(maxAttempts: 2, initialBackoff: .milliseconds(1))
        struct Broken: Error {}
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "b", retry: retry, deadLetters: store)) { _ in throw Broken() }
        let event = try envelope(9, subject: "order-9")
        try await withRunningBus(bus) { try await bus.deliver([event]) }
        let letters = try await SQLiteDeadLetterStore(database: try Database(path: directory.path("b.sqlite"))).list(limit: 5)
        #expect(letters.count == 1)
        #expect(letters.first?.envelope.id == event.id)
        #expect(letters.first?.envelope.subject == "order-9")
        #expect(try letters.first?.envelope.decode(TestEvent.self) == TestEvent(number: 9))
        #expect(letters.first?.attempts == 2)
        #expect(letters.first?.error.contains("Broken") == true)
    }
}
