import ServiceKit
import Testing

@Suite("Bulkhead state machine")
struct BulkheadTests {
    @Test("admits N calls, queues Q more and rejects the next one")
    func capacity() {
        var bulkhead = Bulkhead<String>(maxConcurrentCalls: 2, maxQueuedCalls: 2)
        let actions = ["a", "b", "c", "d", "e"].enumerated().map { index, name in
            bulkhead.acquire(id: UInt64(index), waiter: name)
        }
        #expect(actions == [.permitted, .permitted, .enqueued, .enqueued, .rejected])
        #expect(bulkhead.activeCalls == 2)
        #expect(bulkhead.queuedCalls == 2)
        #expect(bulkhead.rejectedCalls == 1)
    }

    @Test("hands released permits to waiting callers in arrival order")
    func fifo() {
        var bulkhead = Bulkhead<String>(maxConcurrentCalls: 1, maxQueuedCalls: 3)
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            bulkhead.acquire(id: UInt64(index), waiter: name)
        }
        let resumed = (0..<4).map { _ in bulkhead.release() }
        #expect(resumed == ["b", "c", "d", nil])
        #expect(bulkhead.activeCalls == 0)
    }

    @Test("tryAcquire takes a free permit and refuses, without counting a rejection, when none is free")
    func tryAcquire() {
        var bulkhead = Bulkhead<String>(maxConcurrentCalls: 2, maxQueuedCalls: 1)
        let whileFree = [bulkhead.tryAcquire(), bulkhead.tryAcquire(), bulkhead.tryAcquire()]
        #expect(whileFree == [true, true, false])
        #expect(bulkhead.activeCalls == 2)
        #expect(bulkhead.rejectedCalls == 0)
        // A caller that queues keeps its place: the released permit goes to it, not to a tryAcquire.
        #expect(bulkhead.acquire(id: 1, waiter: "a") == .enqueued)
        #expect(bulkhead.release() == "a")
        let whileHeld = bulkhead.tryAcquire()
        #expect(!whileHeld)
        bulkhead.release()
        let afterRelease = bulkhead.tryAcquire()
        #expect(afterRelease)
    }

    @Test("a newcomer cannot overtake the queue when a permit is released")
    func noOvertaking() {
        var bulkhead = Bulkhead<String>(maxConcurrentCalls: 1, maxQueuedCalls: 1)
        bulkhead.acquire(id: 1, waiter: "a")
        bulkhead.acquire(id: 2, waiter: "b")
        #expect(bulkhead.release() == "b")
        #expect(bulkhead.acquire(id: 3, waiter: "c") == .enqueued)
    }

    @Test("cancelling a waiting caller frees its queue slot and takes no permit")
    func cancellation() {
        var bulkhead = Bulkhead<String>(maxConcurrentCalls: 1, maxQueuedCalls: 2)
        bulkhead.acquire(id: 1, waiter: "a")
        bulkhead.acquire(id: 2, waiter: "b")
        bulkhead.acquire(id: 3, waiter: "c")
        #expect(bulkhead.acquire(id: 4, waiter: "d") == .rejected)

        #expect(bulkhead.cancel(id: 2) == "b")
        #expect(bulkhead.cancel(id: 2) == nil)
        #expect(bulkhead.acquire(id: 5, waiter: "e") == .enqueued)
        #expect(bulkhead.activeCalls == 1)

        let resumed = (0..<3).map { _ in bulkhead.release() }
        #expect(resumed == ["c", "e", nil])
        #expect(bulkhead.activeCalls == 0)
    }
}
