extension CircuitBreaker {
    /// A point-in-time view of a breaker, for the operations dashboard and `/admin/breakers`.
    public struct Snapshot: Sendable, Hashable, Codable {
        /// The current state.
        public var state: State
        /// The percentage of failed calls in the window, or `nil` until the window holds enough calls.
        public var failureRate: Double?
        /// The percentage of slow calls in the window, or `nil` until the window holds enough calls or
        /// when slow-call detection is off.
        public var slowCallRate: Double?
        /// Outcomes currently in the window (in half-open state: probe outcomes so far).
        public var bufferedCalls: Int
        /// Failed calls currently in the window.
        public var failedCalls: Int
        /// Slow calls currently in the window.
        public var slowCalls: Int
        /// Calls rejected since the breaker entered its current state.
        public var notPermittedCalls: Int
        /// While open: the time left before probes are let through (zero once they may be).
        public var retryAfter: Duration?

        /// Creates a snapshot value.
        public init(
            state: State,
            failureRate: Double?,
            slowCallRate: Double?,
            bufferedCalls: Int,
            failedCalls: Int,
            slowCalls: Int,
            notPermittedCalls: Int,
            retryAfter: Duration?
        ) {
            self.state = state
            self.failureRate = failureRate
            self.slowCallRate = slowCallRate
            self.bufferedCalls = bufferedCalls
            self.failedCalls = failedCalls
            self.slowCalls = slowCalls
            self.notPermittedCalls = notPermittedCalls
            self.retryAfter = retryAfter
        }
    }
}
