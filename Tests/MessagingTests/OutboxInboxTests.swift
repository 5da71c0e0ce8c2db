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

/// Events some group has yet to handle, by the relay's own account.
private func backlog(_ relay: OutboxRelay) async throws -> Int {
    try await relay.progress().reduce(0) { $0 + $1.pending }
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
            // Well before the next poll: only the commit's wake-up can bring them.
            try await waitUntil("events 2 and 3 arrive") { seen.count == 2 }
            try await waitUntil("the outbox is drained") { try await backlog(relay) == 0 }
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
        let bus = InProcessMessageBus()
        let seen = Recorder<Int>()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "watcher")) { seen.append(try $0.decode(TestEvent.self).number) }
        let relay = OutboxRelay(outbox: outbox, bus: bus, batchSize: 64, retain: 10)
        #expect(try await backlog(relay) == 600)
        try await withRunning(bus, relays: [relay]) {
            try await waitUntil("the backlog is published") { try await backlog(relay) == 0 }
            // Handled events beyond the retention are deleted; the most recent ones stay for inspection.
            try await waitUntil("handled events are pruned") { try await db.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox") } == 10 }
        }
        #expect(seen.all == Array(1...600))
        #expect(try await outbox.cursor(of: "watcher") == 600)
    }

    @Test func anOutboxNobodySubscribesToKeepsOnlyItsMostRecentEvents() async throws {
        let directory = try TemporaryDirectory()
        let db = try migratedDatabase(directory, "a.sqlite", "CREATE TABLE item (id INTEGER PRIMARY KEY)")
        let outbox = Outbox(database: db, name: "a")
        let bus = InProcessMessageBus()
        let relay = OutboxRelay(outbox: outbox, bus: bus, batchSize: 64, retain: 10)
        try await withRunning(bus, relays: [relay]) {
            for batch in 0..<3 {
                try await db.write { conn in
                    for number in 0..<100 { try outbox.enqueue(try envelope(batch * 100 + number), in: conn) }
                }
            }
            try await waitUntil("all but the ten most recent are deleted") {
                try await db.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox") } == 10
            }
        }
        #expect(try await relay.progress().isEmpty)
        #expect(try await outbox.head() == 300)
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
