/// Runs `operation`, retrying it after transient failures as `policy` allows.
///
/// Non-idempotent calls are never retried. Before each retry the service's `budget` (if any) must grant
/// one, and the call waits the policy's backoff on `clock`.
///
/// ```swift
/// let product = try await withRetry(policy: policy, isIdempotent: true, budget: catalogBudget, clock: clock) { attempt in
///     try await transport.call(CatalogEndpoints.product, id)
/// }
/// ```
///
/// - Parameters:
///   - policy: Attempts and backoff.
///   - isIdempotent: Whether repeating the call is safe; `false` means exactly one attempt.
///   - budget: The retry budget shared by all calls to the service, or `nil` for none.
///   - deadline: The call's overall deadline; no retry is scheduled to start at or after it.
///   - clock: Where time comes from; backoff sleeps on it.
///   - random: The source of jitter.
///   - classify: Decides which errors are worth a retry; ``RetryClassification/default(for:)`` by default.
///   - operation: The call; receives the attempt number, starting at 1.
/// - Throws: The operation's error when the call was not retried (or the last error was not retryable);
///   ``ResilienceError`` with code ``ResilienceError/Code/retriesExhausted`` wrapping the last error
///   when retries were made and ran out (attempts, budget or deadline); `CancellationError` when
///   cancelled during a backoff.
public func withRetry<Result>(
    policy: RetryPolicy,
    isIdempotent: Bool,
    budget: SharedRetryBudget? = nil,
    deadline: ServiceInstant? = nil,
    clock: some ServiceClock,
    random: SharedRandomNumberGenerator = SharedRandomNumberGenerator(),
    isolation: isolated (any Actor)? = #isolation,
    classify: (any Error) -> RetryClassification = RetryClassification.default(for:),
    operation: (_ attempt: Int) async throws -> Result
) async throws -> Result {
    budget?.recordRequest(now: clock.now)
    var machine = RetryStateMachine(policy: policy, isIdempotent: isIdempotent, deadline: deadline)
    var random = random
    while true {
        do {
            return try await operation(machine.attempts)
        } catch {
            let classification = classify(error)
            let now = clock.now
            let decision: RetryDecision
            if let budget {
                decision = budget.withLock { machine.onFailure(classification, budget: &$0, now: now, random: &random) }
            } else {
                decision = machine.onFailure(classification, now: now, random: &random)
            }
            switch decision {
            case .retry(let delay):
                try await clock.sleep(until: now.advanced(by: delay))
            case .giveUp(.notIdempotent), .giveUp(.nonRetryable):
                throw error
            case .giveUp:
                if machine.attempts == 1 {
                    throw error
                }
                throw ResilienceError.retriesExhausted(attempts: machine.attempts, lastError: error)
            }
        }
    }
}
