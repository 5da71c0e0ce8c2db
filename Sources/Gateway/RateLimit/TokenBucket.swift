public import ServiceKit

/// A token bucket as a value: `capacity` tokens, refilled at `capacity` per `window`, one taken per request.
///
/// Time is passed in, so the bucket is tested by handing it instants (the gateway reads them from its
/// ``ServiceClock``).
public struct TokenBucket: Sendable, Hashable {
    /// The verdict on one request.
    public struct Decision: Sendable, Hashable {
        /// Whether the request may go on.
        public var allowed: Bool
        /// Whole tokens left after this request.
        public var remaining: Int
        /// How long until a token is available, when refused; zero when allowed.
        public var retryAfter: Duration
        /// How long until the bucket is full again.
        public var resetAfter: Duration
    }

    /// The most tokens the bucket holds.
    public let capacity: Int
    /// How long refilling an empty bucket takes.
    public let window: Duration
    private var tokens: Double
    private var updated: ServiceInstant

    /// A full bucket.
    /// - Parameters:
    ///   - capacity: The most tokens, also the burst size.
    ///   - window: The time to refill from empty.
    ///   - now: The current instant.
    public init(capacity: Int, window: Duration, now: ServiceInstant) {
        self.capacity = capacity
        self.window = window
        self.tokens = Double(capacity)
        self.updated = now
    }

    private var secondsPerToken: Double { (window / .seconds(1)) / Double(capacity) }

    /// Refills for the time since the last call, then takes a token if there is one.
    /// - Parameter now: The current instant; earlier instants than a previous call's are treated as equal.
    public mutating func take(now: ServiceInstant) -> Decision {
        refill(now: now)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        let retryAfter = allowed ? Duration.zero : Self.duration((1 - tokens) * secondsPerToken)
        let resetAfter = Self.duration((Double(capacity) - tokens) * secondsPerToken)
        return Decision(allowed: allowed, remaining: Int(tokens.rounded(.down)), retryAfter: retryAfter, resetAfter: resetAfter)
    }

    /// Whether the bucket would be full at `now`: it holds nothing worth remembering.
    /// - Parameter now: The current instant.
    public func isIdle(now: ServiceInstant) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= Double(capacity)
    }

    /// When the bucket was last used.
    var lastUsed: ServiceInstant { updated }

    private mutating func refill(now: ServiceInstant) {
        guard now > updated else { return }
        let elapsed = updated.duration(to: now) / .seconds(1)
        tokens = min(Double(capacity), tokens + elapsed / secondsPerToken)
        updated = now
    }

    static func duration(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }

    /// Whole seconds, rounded up: what `Retry-After` and `t=` carry.
    static func ceilSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
