import Foundation
import Messaging
import Storage
import TestSupport
import Testing

@Suite struct BatchSubscriptionTests {
    @Test func anInboxTakesBatchesAndAPoisonEventIsDeadLetteredAlone() async throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.path("b.sqlite"))
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        migrator.add("b-1", sql: "CREATE TABLE effect (n INTEGER NOT NULL)")
        try migrator.migrate(db)
        let inbox = Inbox(database: db, consumer: "b")
        let batchSizes = Recorder<Int>()
        struct Poison: Error {}
        let bus = InProcessMessageBus()
        let retry = DeliveryRetry(maxAttempts: 2, initialBackoff: .milliseconds(1))
        bus.subscribeInBatches(Subscription(topic: TestEvent.eventType, group: "b", retry: retry)) { envelopes in
            batchSizes.append(envelopes.count)
            try await inbox.process(batch: envelopes) { conn, envelope in
                let number = try envelope.decode(TestEvent.self).number
                if number == 13 { throw Poison() }
                try conn.execute("INSERT INTO effect (n) VALUES (?)", [number])
            }
        }
        let events = try (1...200).map { try envelope($0) }
        try await withRunningBus(bus) {
            // Queued all at once, so the worker finds full batches.
            try await bus.deliver(events)
            // A redelivery of already processed events changes nothing.
            try await bus.deliver(Array(events[0..<5]))
        }
        let numbers = try await db.read { try $0.query("SELECT n FROM effect ORDER BY n").map { try $0["n"] as Int } }
        #expect(numbers == Array(1...200).filter { $0 != 13 })
        let letters = try await bus.defaultDeadLetters.list(limit: 10)
        #expect(letters.map(\.envelope.id) == [events[12].id])
        #expect(batchSizes.all.contains { $0 > 1 }, "events should have arrived in batches: \(batchSizes.all)")
    }
}
