/// What to do after a failed attempt, as decided by ``RetryStateMachine``.
public enum RetryDecision: Sendable, Hashable {
    /// Why a failed call is not retried.
    public enum GiveUpReason: Sendable, Hashable, CustomStringConvertible {
        /// The call is not idempotent: repeating it could repeat its effect.
        case notIdempotent
        /// The error is not one a retry can fix.
        case nonRetryable
        /// The policy's maximum number of attempts has been made.
        case attemptsExhausted
        /// The service's retry budget is spent: too many calls to it are retries already.
        case budgetExhausted
        /// The retry could not start before the call's deadline.
        case deadlineExceeded

        /// A stable, kebab-case name for logs and metric labels.
        public var description: String {
            switch self {
            case .notIdempotent: "not-idempotent"
            case .nonRetryable: "non-retryable"
            case .attemptsExhausted: "attempts-exhausted"
            case .budgetExhausted: "budget-exhausted"
            case .deadlineExceeded: "deadline-exceeded"
            }
        }
    }

    /// Wait this long, then make the next attempt.
    case retry(after: Duration)
    /// Stop and report the failure.
    case giveUp(GiveUpReason)
}
