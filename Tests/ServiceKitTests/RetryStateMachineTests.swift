import ServiceKit
import Testing

@Suite("Retry state machine")
struct RetryStateMachineTests {
    private let policy = RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(3), jitter: .none)

    @Test("a non-idempotent call is never retried")
    func nonIdempotent() {
        var random = SplitMix64(seed: 1)
        var retries = RetryStateMachine(policy: policy, isIdempotent: false)
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .giveUp(.notIdempotent))
        #expect(retries.attempts == 1)
    }

    @Test("a non-retryable error is not retried")
    func nonRetryable() {
        var random = SplitMix64(seed: 1)
        var retries = RetryStateMachine(policy: policy, isIdempotent: true)
        #expect(retries.onFailure(.nonRetryable, now: .origin, random: &random) == .giveUp(.nonRetryable))
    }

    @Test("retries with growing delays until the attempts run out")
    func attempts() {
        var random = SplitMix64(seed: 1)
        var retries = RetryStateMachine(policy: policy, isIdempotent: true)
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .retry(after: .seconds(1)))
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .retry(after: .seconds(2)))
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .retry(after: .seconds(3)))
        #expect(retries.attempts == 4)
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .giveUp(.attemptsExhausted))
    }

    @Test("does not schedule a retry that would start after the call's deadline")
    func deadline() {
        var random = SplitMix64(seed: 1)
        var retries = RetryStateMachine(policy: policy, isIdempotent: true, deadline: .origin + .seconds(2))
        #expect(retries.onFailure(.retryable, now: .origin, random: &random) == .retry(after: .seconds(1)))
        #expect(retries.onFailure(.retryable, now: .origin + .seconds(1), random: &random) == .giveUp(.deadlineExceeded))
    }

    @Test("an exhausted budget stops retries, and it refills as its window passes")
    func budget() {
        var random = SplitMix64(seed: 1)
        // 0.2 retries per second over 10 s: two retries per window, whatever the traffic.
        var budget = RetryBudget(configuration: .init(window: .seconds(10), minRetriesPerSecond: 0.2, retryRatio: 0))
        #expect(budget.availableRetries(now: .origin) == 2)
        var first = RetryStateMachine(policy: policy, isIdempotent: true)
        #expect(first.onFailure(.retryable, budget: &budget, now: .origin, random: &random) == .retry(after: .seconds(1)))
        #expect(first.onFailure(.retryable, budget: &budget, now: .origin, random: &random) == .retry(after: .seconds(2)))
        #expect(first.onFailure(.retryable, budget: &budget, now: .origin, random: &random) == .giveUp(.budgetExhausted))

        var second = RetryStateMachine(policy: policy, isIdempotent: true)
        #expect(second.onFailure(.retryable, budget: &budget, now: .origin + .seconds(9), random: &random) == .giveUp(.budgetExhausted))
        #expect(second.onFailure(.retryable, budget: &budget, now: .origin + .seconds(10), random: &random) == .retry(after: .seconds(1)))
    }

    @Test("a call that gives up for another reason does not spend the budget")
    func budgetIsSpentLast() {
        var random = SplitMix64(seed: 1)
        var budget = RetryBudget(configuration: .init(minRetriesPerSecond: 0.1, retryRatio: 0))
        var retries = RetryStateMachine(policy: policy, isIdempotent: false)
        #expect(retries.onFailure(.retryable, budget: &budget, now: .origin, random: &random) == .giveUp(.notIdempotent))
        #expect(budget.availableRetries(now: .origin) == 1)
    }
}
