import Foundation
import Messaging
import Storage
import Synchronization

/// Message bus figures: in-memory publish→handle throughput, and durable outbox → relay → bus → inbox.
struct BusSuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        try await reportMedian("bus.publish-handle.in-memory", unit: "events/s", options: options) {
            try await inMemory(events: 2_000_000 * Int(options.secondsPerRun.rounded(.up)), concurrency: 1)
        }
        try await reportMedian("bus.publish-handle.in-memory.4-lanes", unit: "events/s", options: options) {
            try await inMemory(events: 2_000_000 * Int(options.secondsPerRun.rounded(.up)), concurrency: 4)
        }
        let durableEvents = 50_000 * Int(options.secondsPerRun.rounded(.up))
        try await reportMedian("bus.outbox-to-inbox.durable.drain", unit: "events/s", options: options) {
            try await durable(events: durableEvents, producing: false)
        }
        try await reportMedian("bus.outbox-to-inbox.durable.live", unit: "events/s", options: options) {
            try await durable(events: durableEvents, producing: true)
        }
        try await reportMedian("bus.outbox-to-inbox.durable.drain.beside-a-failing-group", unit: "events/s", options: options) {
            try await durable(events: durableEvents, producing: false, failingNeighbour: true)
        }
    }

    /// One publisher task, one consumer group with a handler that only counts.
    private func inMemory(events: Int, concurrency: Int) async throws -> Double {
        let bus = InProcessMessageBus()
        let handled = Counter()
        bus.subscribe(Subscription(topic: "bench.happened.v1", group: "bench", concurrency: concurrency)) { _ in
            handled.increment()
        }
        let envelope = Envelope(source: "/bench", type: "bench.happened.v1", subject: nil, data: Data("{}".utf8))
        let clock = ContinuousClock()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            let start = clock.now
            for _ in 0..<events {
                try await bus.publish(envelope)
            }
            while handled.value < events {
                await Task.yield()
            }
            let elapsed = (clock.now - start) / .seconds(1)
            group.cancelAll()
            return Double(events) / elapsed
        }
    }

    /// Module A's outbox is delivered by its relay over the bus to module B, whose inbox records each event with
    /// its effect in B's database (in batches, one transaction per batch).
    ///
    /// `producing: false` ("drain"): the outbox already holds the events, as after an outage; timed from the
    /// relay's start until B has recorded the last one. `producing: true` ("live"): A commits one event per write
    /// transaction while the relay runs; timed from the first commit until B has recorded the last event.
    ///
    /// `failingNeighbour`: a second group takes the same events and fails every attempt, retrying with backoff for
    /// the whole run; B's rate beside it shows whether one group's trouble slows another's delivery.
    private func durable(events: Int, producing: Bool, failingNeighbour: Bool = false) async throws -> Double {
        let scratch = try ScratchDirectory()
        let a = try Database(path: scratch.path("a.sqlite"))
        let b = try Database(path: scratch.path("b.sqlite"))
        for (db, table) in [(a, "CREATE TABLE item (id INTEGER PRIMARY KEY)"), (b, "CREATE TABLE effect (n INTEGER NOT NULL)")] {
            var migrator = Migrator()
            MessagingSchema.register(in: &migrator)
            migrator.add("bench-1", sql: table)
            try migrator.migrate(db)
        }
        let outbox = Outbox(database: a, name: "a")
        let inbox = Inbox(database: b, consumer: "b")
        let bus = InProcessMessageBus()
        let handled = Counter()
        bus.subscribeInBatches(Subscription(topic: "bench.item-added.v1", group: "b")) { envelopes in
            try await inbox.process(batch: envelopes) { conn, _ in try conn.execute("INSERT INTO effect (n) VALUES (1)") }
            handled.increment(by: envelopes.count)
        }
        if failingNeighbour {
            struct Down: Error {}
            let retry = DeliveryRetry(maxAttempts: .max, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(100))
            bus.subscribeInBatches(Subscription(topic: "bench.item-added.v1", group: "failing", retry: retry)) { _ in throw Down() }
        }
        let relay = OutboxRelay(outbox: outbox, bus: bus)
        let payload = Data(#"{"id":1}"#.utf8)
        let clock = ContinuousClock()
        func produce(_ range: Range<Int>) async throws {
            for n in range {
                try await a.write { conn in
                    try conn.execute("INSERT INTO item (id) VALUES (?)", [n])
                    try outbox.enqueue(Envelope(source: "/a", type: "bench.item-added.v1", data: payload), in: conn)
                }
                if n % 32 == 0 { await Task.yield() }
            }
        }
        if !producing { try await produce(0..<events) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            let start = clock.now
            group.addTask { try await relay.run() }
            if producing { try await produce(0..<events) }
            while handled.value < events {
                try await Task.sleep(for: .milliseconds(1))
            }
            let elapsed = (clock.now - start) / .seconds(1)
            group.cancelAll()
            let effects = try await b.read { try $0.scalar(Int.self, "SELECT count(*) FROM effect") }
            precondition(effects == events, "the inbox recorded \(effects ?? 0) of \(events) events")
            return Double(events) / elapsed
        }
    }
}

/// A counter shared between tasks.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment(by amount: Int = 1) { count.add(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
