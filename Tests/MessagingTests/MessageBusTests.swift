import Foundation
import Messaging
import ServiceKit
import Synchronization
import TestSupport
import Testing

private struct Flaky: Error, CustomStringConvertible {
    var description: String { "flaky handler failed" }
}

@Suite struct MessageBusTests {
    @Test func everyGroupGetsEveryEventAndMembersOfAGroupShareThem() async throws {
        let bus = InProcessMessageBus()
        let search = Recorder<(member: Int, number: Int)>()
        let audit = Recorder<Int>()
        for member in 0..<3 {
            bus.subscribe(Subscription(topic: TestEvent.eventType, group: "search")) { envelope in
                search.append((member, try envelope.decode(TestEvent.self).number))
            }
        }
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "audit")) { envelope in
            audit.append(try envelope.decode(TestEvent.self).number)
        }
        try await withRunningBus(bus) {
            try await bus.deliver((1...300).map { try envelope($0) })
        }
        // Once per group: the three search members split the events, the audit group sees all of them.
        #expect(search.all.map(\.number).sorted() == Array(1...300))
        #expect(audit.all.sorted() == Array(1...300))
        // Members take turns by batch (a lane hands each batch it takes to the next member), so how many each gets
        // depends on how the events were batched, which a busy machine changes; every member gets its turns.
        let perMember = Dictionary(grouping: search.all, by: \.member).mapValues(\.count)
        #expect(perMember.count == 3, "\(perMember)")
        #expect(perMember.values.allSatisfy { $0 > 0 })
    }

    @Test func eventsOfOneSubjectStayInOrderAcrossConcurrentLanes() async throws {
        let bus = InProcessMessageBus()
        let seen = Recorder<(subject: String, number: Int)>()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "orders", concurrency: 4)) { envelope in
            // Uneven handling times shuffle anything that is not ordered by the bus.
            if Int.random(in: 0..<4) == 0 { await Task.yield() }
            seen.append((envelope.subject!, try envelope.decode(TestEvent.self).number))
        }
        let subjects = (0..<8).map { "order-\($0)" }
        try await withRunningBus(bus) {
            var envelopes: [Envelope] = []
            for number in 0..<400 {
                envelopes.append(try envelope(number, subject: subjects[number % subjects.count]))
            }
            try await bus.deliver(envelopes)
        }
        #expect(seen.count == 400)
        for subject in subjects {
            let numbers = seen.all.filter { $0.subject == subject }.map(\.number)
            #expect(numbers == numbers.sorted(), "\(subject) out of order")
            #expect(numbers.count == 50)
        }
    }

    @Test func aFullMailboxPacesThePublisherAndLosesNothing() async throws {
        let bus = InProcessMessageBus()
        let published = Atomic<Int>(0)
        let handled = Atomic<Int>(0)
        let maxLead = Atomic<Int>(0)
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "slow", mailboxCapacity: 2)) { _ in
            try await Task.sleep(for: .microseconds(200))
            handled.add(1, ordering: .sequentiallyConsistent)
        }
        try await withRunningBus(bus) {
            for number in 1...200 {
                try await bus.publish(try envelope(number))
                let lead = published.add(1, ordering: .sequentiallyConsistent).newValue - handled.load(ordering: .sequentiallyConsistent)
                maxLead.max(lead, ordering: .sequentiallyConsistent)
            }
            try await waitUntil("all 200 events are handled") { handled.load(ordering: .sequentiallyConsistent) == 200 }
        }
        #expect(handled.load(ordering: .sequentiallyConsistent) == 200)
        // The publisher never ran ahead by more than the mailbox, the event in the handler, and the one being put.
        #expect(maxLead.load(ordering: .sequentiallyConsistent) <= 4)
    }

    @Test func failedHandlingIsRetriedThenDeadLetteredAndCanBeReplayed() async throws {
        let bus = InProcessMessageBus()
        let attempts = Mutex<[Int: Int]>([:])
        let healthy = Atomic<Bool>(false)
        let retry = DeliveryRetry(maxAttempts: 3, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(4))
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "billing", retry: retry)) { envelope in
            let number = try envelope.decode(TestEvent.self).number
            let attempt = attempts.withLock { counts in
                counts[number, default: 0] += 1
                return counts[number]!
            }
            // Event 1 recovers on its second attempt; event 2 fails until the handler is "fixed".
            if number == 1 && attempt < 2 { throw Flaky() }
            if number == 2 && !healthy.load(ordering: .relaxed) { throw Flaky() }
        }
        let second = try envelope(2)
        try await withRunningBus(bus) {
            try await bus.deliver([try envelope(1), second])
            #expect(attempts.withLock { $0 } == [1: 2, 2: 3])
            let letters = try await bus.defaultDeadLetters.list(limit: 10)
            #expect(letters.count == 1)
            #expect(letters.first?.envelope.id == second.id)
            #expect(letters.first?.group == "billing")
            #expect(letters.first?.attempts == 3)
            #expect(letters.first?.error == "flaky handler failed")

            healthy.store(true, ordering: .relaxed)
            try await bus.defaultDeadLetters.replay(eventID: second.id, group: "billing", on: bus)
            #expect(attempts.withLock { $0[2] } == 4)
            #expect(try await bus.defaultDeadLetters.list(limit: 10).isEmpty)
        }
    }

    @Test func anEventWhoseSubscriberCannotStoreIsTriedUntilItCanNotDeadLettered() async throws {
        /// What a module's storage says when its disk is full.
        struct DiskFull: UnavailabilityReporting {
            var unavailability: Unavailability? {
                Unavailability(problemType: "storage-unavailable", detail: "The disk is full.", retryAfterSeconds: 30)
            }
        }
        let bus = InProcessMessageBus()
        let attempts = Atomic<Int>(0)
        let retry = DeliveryRetry(maxAttempts: 3, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(4))
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "billing", retry: retry)) { _ in
            // Full for twice the attempts a failing event gets, then room again.
            if attempts.add(1, ordering: .sequentiallyConsistent).newValue <= 2 * retry.maxAttempts { throw DiskFull() }
        }
        try await withRunningBus(bus) {
            try await bus.deliver([try envelope(1)])
            #expect(attempts.load(ordering: .sequentiallyConsistent) == 2 * retry.maxAttempts + 1)
            #expect(try await bus.defaultDeadLetters.list(limit: 10).isEmpty)
        }
    }

    @Test func replayGoesToTheFailedGroupOnly() async throws {
        let bus = InProcessMessageBus()
        let audit = Recorder<Int>()
        let billing = Recorder<Int>()
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "audit")) { audit.append(try $0.decode(TestEvent.self).number) }
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "billing")) { billing.append(try $0.decode(TestEvent.self).number) }
        try await withRunningBus(bus) {
            let event = try envelope(5)
            try await bus.deliver([event])
            try await bus.deliver([event], toGroup: "billing")
        }
        #expect(audit.all == [5])
        #expect(billing.all == [5, 5])
    }

    @Test func publishingBeforeTheBusRunsWaitsForIt() async throws {
        let bus = InProcessMessageBus()
        let seen = Recorder<Int>()
        let publisher = Task { try await bus.deliver([try envelope(1)]) }
        // A subscription made after the publish call, while wiring, still receives the event.
        try await waitUntil("the publisher waits for the bus") { bus.publishersWaitingForStart == 1 }
        bus.subscribe(Subscription(topic: TestEvent.eventType, group: "late")) { seen.append(try $0.decode(TestEvent.self).number) }
        try await withRunningBus(bus) {
            try await publisher.value
        }
        #expect(seen.all == [1])
    }

    @Test func aClosedBusRefusesToPublish() async throws {
        let bus = InProcessMessageBus()
        bus.shutdown()
        await #expect(throws: MessagingError.busClosed) { try await bus.publish(try envelope(1)) }
    }

    @Test func bindingsDescribeTheTopology() async throws {
        let bus = InProcessMessageBus()
        bus.subscribe(Subscription(topic: "a.happened.v1", group: "x", concurrency: 2)) { _ in }
        let token = bus.subscribe(Subscription(topic: "a.happened.v1", group: "x")) { _ in }
        bus.subscribe(Subscription(topic: "b.happened.v1", group: "y")) { _ in }
        #expect(
            bus.bindings == [
                .init(group: "x", eventTypes: ["a.happened.v1"], members: 2, lanes: 2, queued: 0),
                .init(group: "y", eventTypes: ["b.happened.v1"], members: 1, lanes: 1, queued: 0),
            ]
        )
        #expect(bus.consumerGroups == [.init(name: "x", eventTypes: ["a.happened.v1"]), .init(name: "y", eventTypes: ["b.happened.v1"])])
        bus.unsubscribe(token)
        #expect(bus.bindings.first?.members == 1)
    }
}
