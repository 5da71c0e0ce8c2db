import ServiceKit
import Testing

@Suite("Timeout")
struct TimeoutTests {
    @Test("fires when the test clock passes the deadline, and the operation observes cancellation")
    func firesOnTheTestClock() async throws {
        let clock = ManualClock()
        let sawCancellation = LockedValue(false)
        let call = Task {
            try await withDeadline(.seconds(2), clock: clock, endpoint: "catalog.product") {
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
        // withDeadline returned only after the operation had finished: nothing is left running or sleeping.
        #expect(sawCancellation.value)
        #expect(clock.sleeperCount == 0)
    }

    @Test("a fast operation returns its value and leaves no timer behind")
    func fastOperation() async throws {
        let clock = ManualClock()
        let value = try await withDeadline(.seconds(1), clock: clock) { 42 }
        #expect(value == 42)
        #expect(clock.sleeperCount == 0)
    }

    @Test("the operation's own error passes through unchanged")
    func operationError() async throws {
        await #expect(throws: TestFailure(label: "declined")) {
            try await withDeadline(.seconds(1), clock: ManualClock()) { throw TestFailure(label: "declined") }
        }
    }

    @Test("cancelling the caller cancels the operation without reporting a timeout")
    func callerCancellation() async throws {
        let clock = ManualClock()
        let call = Task {
            try await withDeadline(.seconds(5), clock: clock) { try await clock.sleep(for: .seconds(60)) }
        }
        try await clock.waitForSleepers(count: 2)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("works on the system clock")
    func systemClock() async throws {
        #expect(try await withDeadline(.seconds(30), clock: SystemClock()) { "done" } == "done")
    }
}
