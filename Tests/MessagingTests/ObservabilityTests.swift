import Foundation
import Messaging
import Storage
import Telemetry
import TestSupport
import Testing

@Suite struct ObservabilityTests {
    @Test func handlingJoinsThePublishersTraceAndIsCounted() async throws {
        let registry = MetricsRegistry()
        let store = TraceStore()
        let tracer = Tracer(service: "tests", store: store)
        let bus = InProcessMessageBus(metrics: registry, tracer: tracer)
        let handlerTraces = Recorder<TraceID?>()
        struct Refused: Error {}
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "search")) { _ in
            handlerTraces.append(TraceContext.current?.traceID)
        }
        bus.subscribe(
            Subscription(topic: TestEvent.eventType, group: "billing", retry: DeliveryRetry(maxAttempts: 2, initialBackoff: .milliseconds(1)))
        ) { _ in throw Refused() }

        let publisherTrace = try await withRunningBus(bus) {
            try await tracer.withSpan("checkout") { span in
                // The envelope picks up the current span's traceparent by itself.
                try await bus.deliver([try envelope(1)])
                return span.context.traceID
            }
        }
        #expect(handlerTraces.all == [publisherTrace])
        let trace = try #require(store.trace(id: publisherTrace))
        let handled = trace.spans.filter { $0.operationName == "handle \(TestEvent.eventType)" }
        #expect(handled.count == 3)  // search once, billing twice
        #expect(handled.allSatisfy { $0.kind == .consumer && $0.parentSpanID == trace.rootSpan?.spanID })

        let text = registry.exposition()
        #expect(text.contains(#"emporium_bus_published_total{topic="test.thing-happened.v1"} 1"#))
        #expect(text.contains(#"emporium_bus_delivered_total{group="search",topic="test.thing-happened.v1"} 1"#))
        #expect(text.contains(#"emporium_bus_failed_total{group="billing",topic="test.thing-happened.v1"} 2"#))
        #expect(text.contains(#"emporium_bus_dead_lettered_total{group="billing",topic="test.thing-happened.v1"} 1"#))
        #expect(text.contains(#"emporium_bus_handler_duration_seconds_count{group="search"} 1"#))
        #expect(text.contains(#"emporium_bus_mailbox_depth{group="search"} 0"#))
    }

    @Test func theRelayReportsBacklogAndRelayedEvents() async throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.path("a.sqlite"))
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        try migrator.migrate(db)
        let outbox = Outbox(database: db, name: "catalog")
        try await db.write { conn in
            for number in 1...5 { try outbox.enqueue(try envelope(number), in: conn) }
        }
        let registry = MetricsRegistry()
        let bus = InProcessMessageBus()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "g")) { _ in }
        let relay = OutboxRelay(outbox: outbox, bus: bus, metrics: registry)
        try await withRunningBus(bus) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                try await waitUntil("five events are relayed") {
                    registry.exposition().contains(#"emporium_outbox_relayed_total{group="g",outbox="catalog"} 5"#)
                }
                try await waitUntil("the backlog gauge drops to zero") {
                    registry.exposition().contains(#"emporium_outbox_backlog{group="g",outbox="catalog"} 0"#)
                }
                group.cancelAll()
            }
        }
    }
}
