import Telemetry

/// How often and how patiently to retry a failed idempotent call: attempts and exponential backoff with jitter.
///
/// The delay before retry *n* (1-based) is capped by `min(maxDelay, baseDelay × multiplierⁿ⁻¹)`, the
/// *ceiling*. ``Jitter`` decides where in that range the actual delay falls, so that clients that failed
/// together do not retry together (see "Exponential Backoff and Jitter", AWS Architecture Blog).
///
/// ```swift
/// let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .seconds(2), jitter: .full)
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// Where the delay falls within its range.
    public enum Jitter: Sendable, Hashable {
        /// Exactly the ceiling: `base, base × m, base × m², …` up to the maximum. Predictable, but
        /// synchronised clients retry in lock-step.
        case none
        /// Uniformly random between zero and the ceiling.
        case full
        /// Uniformly random between the base delay and the previous delay × multiplier, capped at the
        /// maximum (AWS's "decorrelated jitter", which suggests a multiplier of 3).
        case decorrelated
    }

    /// The total number of attempts, the first call included. `1` means never retry. Default 3.
    public var maxAttempts: Int
    /// The ceiling of the first retry's delay. Default 100 ms.
    public var baseDelay: Duration
    /// The factor by which the ceiling grows per retry. Default 2.
    public var multiplier: Double
    /// No delay is longer than this. Default 10 s.
    public var maxDelay: Duration
    /// How the delay is randomised. Default ``Jitter/full``.
    public var jitter: Jitter

    /// Creates a policy.
    ///
    /// - Precondition: `maxAttempts >= 1`, `multiplier >= 1`, delays not negative, `baseDelay <= maxDelay`.
    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(100),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(10),
        jitter: Jitter = .full
    ) {
        precondition(maxAttempts >= 1, "maxAttempts counts the first call and must be at least 1")
        precondition(multiplier >= 1, "multiplier must be at least 1")
        precondition(baseDelay >= .zero && baseDelay <= maxDelay, "baseDelay must be between zero and maxDelay")
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// A policy that never retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The upper bound of the delay before retry number `retry` (1 for the first retry), before jitter.
    public func delayCeiling(beforeRetry retry: Int) -> Duration {
        let cap = Double(maxDelay.clampedNanoseconds)
        var ceiling = Double(baseDelay.clampedNanoseconds)
        var exponent = 1
        while exponent < retry && ceiling > 0 && ceiling < cap && multiplier > 1 {
            ceiling *= multiplier
            exponent += 1
        }
        return .nanoseconds(Int64(min(ceiling, cap)))
    }

    /// The delay to wait before retry number `retry` (1 for the first retry).
    ///
    /// - Parameters:
    ///   - retry: Which retry this is, starting at 1.
    ///   - previousDelay: The delay used before the previous retry, needed by ``Jitter/decorrelated``.
    ///   - random: The source of jitter; a seeded generator makes the delays reproducible.
    public func delay(
        beforeRetry retry: Int,
        previousDelay: Duration?,
        using random: inout some RandomNumberGenerator
    ) -> Duration {
        switch jitter {
        case .none:
            return delayCeiling(beforeRetry: retry)
        case .full:
            return .nanoseconds(Int64.random(in: 0...delayCeiling(beforeRetry: retry).clampedNanoseconds, using: &random))
        case .decorrelated:
            let base = baseDelay.clampedNanoseconds
            let cap = maxDelay.clampedNanoseconds
            let previous = Double((previousDelay ?? baseDelay).clampedNanoseconds)
            let upper = min(Double(cap), max(Double(base), previous * multiplier))
            return .nanoseconds(Int64.random(in: base...Int64(upper), using: &random))
        }
    }
}
