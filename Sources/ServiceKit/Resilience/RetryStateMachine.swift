/// The retry state of one call: counts attempts, applies the ``RetryPolicy`` and asks the service's
/// ``RetryBudget`` before every retry.
///
/// A value type with no clock: each failure is reported with the current instant and a random number
/// generator, and the answer is a ``RetryDecision``. Create one per call.
///
/// ```swift
/// var retries = RetryStateMachine(policy: policy, isIdempotent: endpoint.isIdempotent)
/// while true {
///     do { return try await call() } catch {
///         switch retries.onFailure(.retryable, budget: &budget, now: clock.now, random: &random) {
///         case .retry(let delay): try await clock.sleep(for: delay)
///         case .giveUp: throw error
///         }
///     }
/// }
/// ```
public struct RetryStateMachine: Sendable {
    /// The policy applied.
    public let policy: RetryPolicy
    /// Whether the call may be repeated safely; a non-idempotent call is never retried.
    public let isIdempotent: Bool
    /// No retry is scheduled to start at or after this instant.
    public let deadline: ServiceInstant?
    /// Attempts made so far, the first call included; the number of the attempt now in flight.
    public private(set) var attempts = 1
    /// The delay before the latest retry, `nil` before the first retry.
    public private(set) var previousDelay: Duration?

    /// Creates the state for a call whose first attempt is being made.
    ///
    /// - Parameters:
    ///   - policy: Attempts and backoff.
    ///   - isIdempotent: Whether repeating the call is safe; `false` disables retries entirely.
    ///   - deadline: The call's overall deadline, if any; retries that could not start before it are not made.
    public init(policy: RetryPolicy, isIdempotent: Bool, deadline: ServiceInstant? = nil) {
        self.policy = policy
        self.isIdempotent = isIdempotent
        self.deadline = deadline
    }

    /// Decides what to do after the current attempt failed, without a retry budget.
    public mutating func onFailure(
        _ classification: RetryClassification,
        now: ServiceInstant,
        random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        decide(classification, now: now, random: &random) { _ in true }
    }

    /// Decides what to do after the current attempt failed, withdrawing from `budget` if it retries.
    ///
    /// The budget is consulted last, so a call that gives up for another reason does not spend it.
    public mutating func onFailure(
        _ classification: RetryClassification,
        budget: inout RetryBudget,
        now: ServiceInstant,
        random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        decide(classification, now: now, random: &random) { budget.tryWithdraw(now: $0) }
    }

    private mutating func decide(
        _ classification: RetryClassification,
        now: ServiceInstant,
        random: inout some RandomNumberGenerator,
        withdraw: (ServiceInstant) -> Bool
    ) -> RetryDecision {
        guard isIdempotent else {
            return .giveUp(.notIdempotent)
        }
        guard classification == .retryable else {
            return .giveUp(.nonRetryable)
        }
        guard attempts < policy.maxAttempts else {
            return .giveUp(.attemptsExhausted)
        }
        let delay = policy.delay(beforeRetry: attempts, previousDelay: previousDelay, using: &random)
        if let deadline, now.advanced(by: delay) >= deadline {
            return .giveUp(.deadlineExceeded)
        }
        guard withdraw(now) else {
            return .giveUp(.budgetExhausted)
        }
        attempts += 1
        previousDelay = delay
        return .retry(after: delay)
    }
}
