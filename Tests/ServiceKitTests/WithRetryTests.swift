import ServiceKit
import Testing

@Suite("Retrying calls")
struct WithRetryTests {
    private let policy = RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(10), jitter: .none)

    @Test("retries a failing idempotent call after each backoff on the clock")
    func retriesUntilSuccess() async throws {
        let clock = ManualClock()
        let attempts = LockedValue<[Int]>([])
        let call = Task {
            try await withRetry(policy: policy, isIdempotent: true, clock: clock) { attempt in
                attempts.withLock { $0.append(attempt) }
                if attempt < 3 {
                    throw TestFailure()
                }
                return "ok"
            }
        }
        try await clock.waitForSleepers()
        #expect(clock.nextDeadline == .origin + .seconds(1))
        clock.advance(by: .seconds(1))
        try await clock.waitForSleepers()
        #expect(clock.nextDeadline == .origin + .seconds(3))
        clock.advance(by: .seconds(2))
        #expect(try await call.value == "ok")
        #expect(attempts.value == [1, 2, 3])
    }

    @Test("a non-idempotent call is attempted once and its error is reported as is")
    func nonIdempotent() async throws {
        let attempts = LockedValue(0)
        await #expect(throws: TestFailure()) {
            try await withRetry(policy: policy, isIdempotent: false, clock: ManualClock()) { _ in
                attempts.withLock { $0 += 1 }
                throw TestFailure()
            }
        }
        #expect(attempts.value == 1)
    }

    @Test("reports the last error once the attempts are exhausted")
    func exhausted() async throws {
        let clock = ManualClock()
        let call = Task {
            try await withRetry(policy: policy, isIdempotent: true, clock: clock) { attempt in
                throw TestFailure(label: "attempt \(attempt)")
            }
        }
        for delay in [1, 2] {
            try await clock.waitForSleepers()
            clock.advance(by: .seconds(delay))
        }
        let error = await #expect(throws: ResilienceError.self) { try await call.value }
        #expect(error?.code == .retriesExhausted)
        #expect(error?.attempts == 3)
        #expect(error?.underlyingError as? TestFailure == TestFailure(label: "attempt 3"))
    }

    @Test("a shared budget keeps a failing dependency from seeing a retry storm")
    func sharedBudget() async throws {
        let budget = SharedRetryBudget(configuration: .init(window: .seconds(10), minRetriesPerSecond: 0.1, retryRatio: 0))
        let clock = ManualClock()
        let attempts = LockedValue(0)
        let first = Task {
            try await withRetry(policy: policy, isIdempotent: true, budget: budget, clock: clock) { _ in
                attempts.withLock { $0 += 1 }
                throw TestFailure()
            }
        }
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(1))
        await #expect(throws: ResilienceError.self) { try await first.value }
        #expect(attempts.value == 2)

        // The one retry of this window is spent: the next call fails on its first error.
        await #expect(throws: TestFailure()) {
            try await withRetry(policy: policy, isIdempotent: true, budget: budget, clock: clock) { _ in
                attempts.withLock { $0 += 1 }
                throw TestFailure()
            }
        }
        #expect(attempts.value == 3)
        #expect(budget.availableRetries(now: clock.now) == 0)
        clock.advance(by: .seconds(10))
        #expect(budget.availableRetries(now: clock.now) == 1)
    }

    @Test("does not retry an open circuit or a cancellation by default")
    func defaultClassification() {
        #expect(RetryClassification.default(for: CancellationError()) == .nonRetryable)
        #expect(RetryClassification.default(for: ResilienceError.circuitOpen(service: "cart", retryAfter: .seconds(1))) == .nonRetryable)
        #expect(RetryClassification.default(for: ResilienceError.timeout(endpoint: "cart.get", after: .seconds(1))) == .retryable)
        #expect(RetryClassification.default(for: TestFailure()) == .retryable)
    }

    @Test("cancellation during a backoff ends the call")
    func cancelledDuringBackoff() async throws {
        let clock = ManualClock()
        let call = Task {
            try await withRetry(policy: policy, isIdempotent: true, clock: clock) { _ in throw TestFailure() }
        }
        try await clock.waitForSleepers()
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
    }
}
