/// Whether an error is worth retrying, as judged by the caller who knows the error types.
public enum RetryClassification: Sendable, Hashable {
    /// A transient failure (timeout, connection refused, overload): another attempt may succeed.
    case retryable
    /// A definitive answer (validation error, not found, cancellation): another attempt would fail the same way.
    case nonRetryable

    /// The classification ``withRetry(policy:isIdempotent:budget:deadline:clock:random:isolation:classify:operation:)``
    /// uses by default: cancellation and an open circuit are not retryable, every other error is.
    public static func `default`(for error: any Error) -> RetryClassification {
        if error is CancellationError {
            return .nonRetryable
        }
        if let error = error as? ResilienceError, error.code == .circuitOpen {
            return .nonRetryable
        }
        return .retryable
    }
}
