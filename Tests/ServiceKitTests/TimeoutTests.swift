import ServiceKit
import Telemetry
import TestSupport
import Testing

@Suite("Timeout")
struct TimeoutTests {
    @Test("fires when the test clock passes the deadline, returns at once, and cancels the operation")
    func firesOnTheTestClock() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        let sawCancellation = LockedValue(false)
        let call = Task {
            try await timer.withDeadline(.seconds(2), endpoint: "catalog.product") {
                do {
                    try await clock.sleep(for: .seconds(60))
                } catch is CancellationError {
                    sawCancellation.withLock { $0 = true }
                    throw CancellationError()
                }
                return "too late"
            }
        }
        // The operation and the deadline timer both sleep on the clock.
        try await clock.waitForSleepers(count: 2)
        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 2)

        clock.advance(by: .milliseconds(1))
        let error = await #expect(throws: ResilienceError.self) { try await call.value }
        #expect(error?.code == .timeout)
        #expect(error?.endpoint == "catalog.product")
        #expect(error?.timeout == .seconds(2))
        try await waitUntil("the operation observed its cancellation") { sawCancellation.value }
    }

    @Test("the caller gets control back at the deadline even if the operation ignores cancellation")
    func promptReturn() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        let gate = Gate()
        let finished = LockedValue(false)
        let call = Task {
            try await timer.withDeadline(.seconds(1)) {
                // Waits for the gate whatever happens: cancellation does not end this wait.
                await gate.wait()
                finished.withLock { $0 = true }
            }
        }
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: ResilienceError.self) { try await call.value }
        #expect(error?.code == .timeout)
        #expect(finished.value == false, "the caller returned while the operation was still running")
        gate.open()
        try await waitUntil("the abandoned operation finishes on its own") { finished.value }
    }

    @Test("a fast operation returns its value, and its deadline later fires nothing")
    func fastOperation() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        #expect(try await timer.withDeadline(.seconds(1)) { 42 } == 42)
        clock.advance(by: .seconds(2))
        #expect(try await timer.withDeadline(.seconds(1)) { 43 } == 43)
    }

    @Test("the operation's own error passes through unchanged")
    func operationError() async throws {
        await #expect(throws: TestFailure(label: "declined")) {
            try await DeadlineTimer(clock: ManualClock()).withDeadline(.seconds(1)) { throw TestFailure(label: "declined") }
        }
    }

    @Test("cancelling the caller cancels the operation without reporting a timeout")
    func callerCancellation() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        let call = Task {
            try await timer.withDeadline(.seconds(5)) { try await clock.sleep(for: .seconds(60)) }
        }
        try await clock.waitForSleepers(count: 2)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
    }

    @Test("an operation that finishes without suspending but after its deadline is a timeout")
    func lateSynchronousOperation() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        let error = await #expect(throws: ResilienceError.self) {
            try await timer.withDeadline(.seconds(1), endpoint: "catalog.product") {
                // Work that takes longer than the deadline without ever suspending.
                clock.advance(by: .seconds(2))
                return 42
            }
        }
        #expect(error?.code == .timeout)
        #expect(error?.endpoint == "catalog.product")
    }

    @Test("a caller cancelled before the call hands the operation a cancelled task")
    func cancelledBeforeTheCall() async throws {
        let timer = DeadlineTimer(clock: ManualClock())
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await timer.withDeadline(.seconds(1)) { Task.isCancelled }
        }
        #expect(try await call.value == true)
    }

    @Test("task-local values such as the trace context reach the operation, before and after it suspends")
    func taskLocalsFlowIntoTheOperation() async throws {
        let timer = DeadlineTimer(clock: ManualClock())
        let context = TraceContext(traceID: .random(), spanID: .random())
        let seen = try await TraceContext.$current.withValue(context) {
            try await timer.withDeadline(.seconds(1)) { () async throws -> [TraceContext?] in
                let before = TraceContext.current
                await Task.yield()
                try await Task.sleep(for: .milliseconds(1))
                return [before, TraceContext.current]
            }
        }
        #expect(seen == [context, context])
    }

    @Test("many concurrent deadlines each fire for their own operation")
    func manyDeadlines() async throws {
        let clock = ManualClock()
        let timer = DeadlineTimer(clock: clock)
        let outcomes = LockedValue<[Int: Bool]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    // Even indices finish at once; odd ones wait past their deadline of (index + 1) seconds.
                    do {
                        try await timer.withDeadline(.seconds(Int64(index + 1))) {
                            if index % 2 == 1 { try await clock.sleep(for: .seconds(1000)) }
                        }
                        outcomes.withLock { $0[index] = true }
                    } catch let error as ResilienceError where error.code == .timeout {
                        outcomes.withLock { $0[index] = false }
                    }
                }
            }
            try await waitUntil("the fast half finished") { outcomes.value.count == 10 }
            clock.advance(by: .seconds(25))
            try await group.waitForAll()
        }
        for index in 0..<20 {
            #expect(outcomes.value[index] == (index % 2 == 0))
        }
    }
}
