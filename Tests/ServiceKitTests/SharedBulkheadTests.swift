import ServiceKit
import TestSupport
import Testing

@Suite("Shared bulkhead")
struct SharedBulkheadTests {
    @Test("runs N calls at once, queues Q and rejects the next at once")
    func capacity() async throws {
        let clock = ManualClock()
        let bulkhead = SharedBulkhead(service: "payments", maxConcurrentCalls: 2, maxQueuedCalls: 1)
        let started = LockedValue(0)
        let calls = (0..<3).map { _ in
            Task {
                try await bulkhead.withPermit {
                    started.withLock { $0 += 1 }
                    try await clock.sleep(for: .seconds(1))
                }
            }
        }
        try await clock.waitForSleepers(count: 2)
        try await waitUntil("the third call is queued") { bulkhead.queuedCalls == 1 }
        #expect(started.value == 2)

        let error = await #expect(throws: ResilienceError.self) {
            try await bulkhead.withPermit { Issue.record("a rejected call must not run") }
        }
        #expect(error?.code == .bulkheadFull)
        #expect(error?.service == "payments")
        #expect(bulkhead.rejectedCalls == 1)

        clock.advance(by: .seconds(1))
        try await clock.waitForSleepers(count: 1)
        #expect(started.value == 3)
        clock.advance(by: .seconds(1))
        for call in calls {
            try await call.value
        }
        #expect(bulkhead.activeCalls == 0)
    }

    @Test("waiting callers get their permits in arrival order")
    func fifo() async throws {
        let clock = ManualClock()
        let bulkhead = SharedBulkhead(service: "inventory", maxConcurrentCalls: 1, maxQueuedCalls: 4)
        let order = LockedValue<[String]>([])
        let holder = Task { try await bulkhead.withPermit { try await clock.sleep(for: .seconds(1)) } }
        try await clock.waitForSleepers()

        var waiters: [Task<Void, any Error>] = []
        for (index, name) in ["b", "c", "d", "e"].enumerated() {
            waiters.append(Task { try await bulkhead.withPermit { order.withLock { $0.append(name) } } })
            try await waitUntil("\(name) is queued") { bulkhead.queuedCalls == index + 1 }
        }
        clock.advance(by: .seconds(1))
        try await holder.value
        for waiter in waiters {
            try await waiter.value
        }
        #expect(order.value == ["b", "c", "d", "e"])
    }

    @Test("a cancelled waiting caller leaves the queue without taking a permit")
    func cancellation() async throws {
        let clock = ManualClock()
        let bulkhead = SharedBulkhead(service: "cart", maxConcurrentCalls: 1, maxQueuedCalls: 1)
        let holder = Task { try await bulkhead.withPermit { try await clock.sleep(for: .seconds(1)) } }
        try await clock.waitForSleepers()
        let ran = LockedValue(false)
        let cancelled = Task { try await bulkhead.withPermit { ran.withLock { $0 = true } } }
        try await waitUntil("the second call is queued") { bulkhead.queuedCalls == 1 }

        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(bulkhead.queuedCalls == 0)
        #expect(bulkhead.activeCalls == 1)

        // The freed slot is usable, and the permit count is intact.
        let next = Task { try await bulkhead.withPermit { "next" } }
        try await waitUntil("the next call is queued") { bulkhead.queuedCalls == 1 }
        clock.advance(by: .seconds(1))
        try await holder.value
        #expect(try await next.value == "next")
        #expect(!ran.value)
        #expect(bulkhead.activeCalls == 0)
        #expect(bulkhead.rejectedCalls == 0)
    }

    @Test("an already cancelled caller gets no permit")
    func cancelledBeforeAsking() async throws {
        let bulkhead = SharedBulkhead(service: "cart", maxConcurrentCalls: 1, maxQueuedCalls: 0)
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await bulkhead.withPermit {}
        }
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(bulkhead.activeCalls == 0)
    }
}
