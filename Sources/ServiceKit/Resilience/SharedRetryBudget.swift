import Synchronization

/// A ``RetryBudget`` shared by all calls to one service, behind a lock.
///
/// ```swift
/// let budget = SharedRetryBudget()
/// let product = try await withRetry(policy: policy, isIdempotent: true, budget: budget, clock: clock) { _ in
///     try await catalog.product(id)
/// }
/// ```
public final class SharedRetryBudget: Sendable {
    private let budget: Mutex<RetryBudget>

    /// Creates a full budget.
    public init(configuration: RetryBudget.Configuration = RetryBudget.Configuration()) {
        budget = Mutex(RetryBudget(configuration: configuration))
    }

    /// Records that a call to the service started, adding its share to the budget.
    public func recordRequest(now: ServiceInstant) {
        budget.withLock { $0.recordRequest(now: now) }
    }

    /// Takes one retry out of the budget if there is one.
    ///
    /// - Returns: `true` when the retry may go ahead.
    public func tryWithdraw(now: ServiceInstant) -> Bool {
        budget.withLock { $0.tryWithdraw(now: now) }
    }

    /// The number of retries the budget would allow right now.
    public func availableRetries(now: ServiceInstant) -> Int {
        budget.withLock { $0.availableRetries(now: now) }
    }

    /// Runs `body` with exclusive access to the budget.
    func withLock<Result: Sendable>(_ body: (inout RetryBudget) -> Result) -> Result {
        budget.withLock { body(&$0) }
    }
}
