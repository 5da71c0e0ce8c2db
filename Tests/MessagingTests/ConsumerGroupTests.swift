import Foundation
import Messaging
import Storage
import Synchronization
import TestSupport
import Testing

private struct Placed: DomainEvent, Equatable {
    static let eventType = "orders.order-placed.v1"
    var order: String
    var step: Int
}

private struct Paid: DomainEvent, Equatable {
    static let eventType = "orders.order-paid.v1"
    var order: String
    var step: Int
}

private struct Shipped: DomainEvent, Equatable {
    static let eventType = "orders.order-shipped.v1"
    var order: String
    var step: Int
}

private struct Down: Error, CustomStringConvertible {
    var description: String { "the billing handler is down" }
}

/// One consumer group per service, across event types: order per subject, typed handlers, and a failing group
/// that delays nobody else.
@Suite struct ConsumerGroupTests {
    private static func migrated(_ directory: TemporaryDirectory, _ name: String) throws -> Database {
        let database = try Database(path: directory.path(name))
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        try migrator.migrate(database)
        return database
    }

    @Test func oneSubjectsEventsOfEveryTypeArriveInPublishOrderUnderConcurrentPublishers() async throws {
        let bus = InProcessMessageBus()
        let seen = Recorder<(order: String, step: Int)>()
        var handlers = EventHandlers()
        // Uneven handling times shuffle anything the bus does not keep in order.
        handlers.on(Placed.self) { event, _ in
            if event.step % 3 == 0 { await Task.yield() }
            seen.append((event.order, event.step))
        }
        handlers.on(Paid.self) { event, _ in seen.append((event.order, event.step)) }
        handlers.on(Shipped.self) { event, _ in
            await Task.yield()
            seen.append((event.order, event.step))
        }
        EventSubscription(handlers, concurrency: 4).subscribe(as: "warehouse", on: bus)
        #expect(
            bus.consumerGroups == [ConsumerGroupDescription(name: "warehouse", eventTypes: [Paid.eventType, Placed.eventType, Shipped.eventType])]
        )
        let orders = (0..<12).map { "order-\($0)" }
        try await withRunningBus(bus) {
            // Each order's events come from one publisher, in steps cycling through the three types; twelve
            // publishers run at once.
            try await withThrowingTaskGroup(of: Void.self) { publishers in
                for order in orders {
                    publishers.addTask {
                        for step in 0..<60 {
                            let envelope: Envelope =
                                switch step % 3 {
                                case 0: try Envelope(Placed(order: order, step: step), source: "/orders", subject: order)
                                case 1: try Envelope(Paid(order: order, step: step), source: "/orders", subject: order)
                                default: try Envelope(Shipped(order: order, step: step), source: "/orders", subject: order)
                                }
                            try await bus.publish(envelope)
                        }
                    }
                }
                try await publishers.waitForAll()
            }
            try await waitUntil("every event is handled") { seen.count == 12 * 60 }
        }
        for order in orders {
            #expect(seen.all.filter { $0.order == order }.map(\.step) == Array(0..<60), "\(order) out of order")
        }
    }

    @Test func typedHandlersGetTheirDecodedEventAndAnUnhandledTypeIsAnError() async throws {
        let placed = Recorder<Placed>()
        var handlers = EventHandlers()
        handlers.on(Placed.self) { event, envelope in
            #expect(envelope.subject == event.order)
            placed.append(event)
        }
        #expect(handlers.eventTypes == [Placed.eventType])
        try await handlers.handle(try Envelope(Placed(order: "o-1", step: 0), source: "/orders", subject: "o-1"))
        #expect(placed.all == [Placed(order: "o-1", step: 0)])
        await #expect(throws: MessagingError.wrongEventType(expected: Placed.eventType, actual: Paid.eventType)) {
            try await handlers.handle(try Envelope(Paid(order: "o-1", step: 1), source: "/orders", subject: "o-1"))
        }
    }

    /// Billing fails every attempt until the test says otherwise; shipping, fed from the same outbox, gets every
    /// event meanwhile, and billing catches up from its own cursor once it recovers.
    @Test func aFailingGroupDelaysOnlyItselfAndCatchesUpFromItsOwnCursor() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.migrated(directory, "orders.sqlite")
        let outbox = Outbox(database: database, name: "orders")
        let bus = InProcessMessageBus()
        let healthy = Atomic<Bool>(false)
        let shipped = Recorder<Int>()
        let billed = Recorder<Int>()
        let attempts = Atomic<Int>(0)
        var shipping = EventHandlers()
        shipping.on(Placed.self) { event, _ in shipped.append(event.step) }
        EventSubscription(shipping).subscribe(as: "shipping", on: bus)
        var billing = EventHandlers()
        billing.on(Placed.self) { event, _ in
            attempts.add(1, ordering: .relaxed)
            guard healthy.load(ordering: .relaxed) else { throw Down() }
            billed.append(event.step)
        }
        // Retries without end, paced: the group stays on its first event for as long as billing is down.
        EventSubscription(billing, retry: DeliveryRetry(maxAttempts: .max, initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(20)))
            .subscribe(as: "billing", on: bus)
        let relay = OutboxRelay(outbox: outbox, bus: bus, batchSize: 50, pollInterval: .milliseconds(20), retain: 10)
        func kept() async throws -> Int { try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox") } ?? 0 }
        try await withRunningBus(bus) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                for step in 0..<500 {
                    try await database.write { connection in
                        try outbox.enqueue(
                            try Envelope(Placed(order: "o-\(step % 7)", step: step), source: "/orders", subject: "o-\(step % 7)"),
                            in: connection
                        )
                    }
                }
                try await waitUntil("shipping has handled every event") {
                    try await relay.progress().first { $0.group == "shipping" }?.pending == 0
                }
                // Billing is still stuck on its first event, retrying, and has handled nothing.
                #expect(shipped.count == 500)
                #expect(billed.count == 0)
                #expect(attempts.load(ordering: .relaxed) >= 2)
                #expect(try await relay.progress().first { $0.group == "billing" }?.pending == 500)
                // Shipping's cursor is saved, billing has none: nothing billing has not handled may go.
                try await waitUntil("shipping's cursor is saved") { try await outbox.cursor(of: "shipping") == 500 }
                #expect(try await kept() == 500)

                healthy.store(true, ordering: .relaxed)
                try await waitUntil("billing catches up") { billed.count == 500 }
                try await waitUntil("both cursors are saved") {
                    let billing = try await outbox.cursor(of: "billing")
                    let shipping = try await outbox.cursor(of: "shipping")
                    return billing == 500 && shipping == 500
                }
                try await waitUntil("what both groups handled is pruned to the ten kept") { try await kept() == 10 }
                group.cancelAll()
            }
        }
        #expect(shipped.all == Array(0..<500))
        #expect(billed.all == Array(0..<500))
    }

    @Test func aGroupAddedLaterStartsAtTheOldestEventStillKept() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.migrated(directory, "orders.sqlite")
        let outbox = Outbox(database: database, name: "orders")
        try await database.write { connection in
            for step in 0..<5 {
                try outbox.enqueue(try Envelope(Placed(order: "o-1", step: step), source: "/orders", subject: "o-1"), in: connection)
            }
        }
        let bus = InProcessMessageBus()
        let relay = OutboxRelay(outbox: outbox, bus: bus, publishes: [Placed.eventType], pollInterval: .milliseconds(10))
        let late = Recorder<Int>()
        try await withRunningBus(bus) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                #expect(try await relay.progress().isEmpty, "no group takes the outbox's events yet")
                var handlers = EventHandlers()
                handlers.on(Placed.self) { event, _ in late.append(event.step) }
                EventSubscription(handlers).subscribe(as: "late", on: bus)
                try await waitUntil("the late group has the kept events") { late.count == 5 }
                group.cancelAll()
            }
        }
        #expect(late.all == Array(0..<5))
    }
}
