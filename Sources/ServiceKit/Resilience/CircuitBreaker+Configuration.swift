extension CircuitBreaker {
    /// How a ``CircuitBreaker`` decides to open and close; defaults follow resilience4j.
    ///
    /// Rates are percentages (`50` means 50 %). A rate *at or above* its threshold opens the breaker, but
    /// only once the window holds ``minimumNumberOfCalls`` outcomes, so a handful of early failures cannot
    /// trip it. Tests usually shrink the numbers:
    ///
    /// ```swift
    /// let configuration = CircuitBreaker.Configuration(
    ///     slidingWindow: .countBased(size: 10),
    ///     minimumNumberOfCalls: 4,
    ///     waitDurationInOpenState: .seconds(5),
    ///     permittedNumberOfCallsInHalfOpenState: 2
    /// )
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// Which recent calls the closed breaker looks at.
        public enum SlidingWindow: Sendable, Hashable {
            /// The last `size` calls.
            case countBased(size: Int)
            /// The calls of the last `seconds` seconds, aggregated into one-second buckets.
            case timeBased(seconds: Int)
        }

        /// When a successful but slow call counts against the service.
        public struct SlowCallPolicy: Sendable, Hashable {
            /// A call that takes longer than this is slow.
            public var durationThreshold: Duration
            /// The percentage of slow calls (successful or not) at or above which the breaker opens.
            public var rateThreshold: Double

            /// Creates a policy; the defaults (60 s, 100 %) only trip on a window made entirely of very slow calls.
            public init(durationThreshold: Duration = .seconds(60), rateThreshold: Double = 100) {
                self.durationThreshold = durationThreshold
                self.rateThreshold = rateThreshold
            }
        }

        /// The failure percentage at or above which the breaker opens. Default 50.
        public var failureRateThreshold: Double
        /// The window of recent calls the rates are computed over. Default: the last 100 calls.
        public var slidingWindow: SlidingWindow
        /// Outcomes the window must hold before any rate is computed. Default 100. With a count-based window
        /// the effective minimum is at most the window size.
        public var minimumNumberOfCalls: Int
        /// How long the breaker stays open before letting probes through. Default 60 s.
        public var waitDurationInOpenState: Duration
        /// How many probe calls the half-open breaker permits; their outcomes decide between closed and open. Default 10.
        public var permittedNumberOfCallsInHalfOpenState: Int
        /// Slow-call detection, or `nil` to judge calls by their outcome only. Default: 60 s, 100 %.
        public var slowCalls: SlowCallPolicy?

        /// Creates a configuration; every parameter defaults to resilience4j's default.
        public init(
            failureRateThreshold: Double = 50,
            slidingWindow: SlidingWindow = .countBased(size: 100),
            minimumNumberOfCalls: Int = 100,
            waitDurationInOpenState: Duration = .seconds(60),
            permittedNumberOfCallsInHalfOpenState: Int = 10,
            slowCalls: SlowCallPolicy? = SlowCallPolicy()
        ) {
            self.failureRateThreshold = failureRateThreshold
            self.slidingWindow = slidingWindow
            self.minimumNumberOfCalls = minimumNumberOfCalls
            self.waitDurationInOpenState = waitDurationInOpenState
            self.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState
            self.slowCalls = slowCalls
        }

        /// The number of outcomes a closed breaker needs before it computes rates.
        var effectiveMinimumNumberOfCalls: Int {
            switch slidingWindow {
            case .countBased(let size): min(minimumNumberOfCalls, size)
            case .timeBased: minimumNumberOfCalls
            }
        }

        func validate() {
            precondition(failureRateThreshold > 0 && failureRateThreshold <= 100, "failureRateThreshold must be in (0, 100]")
            switch slidingWindow {
            case .countBased(let size):
                precondition(size >= 1, "a count-based sliding window needs at least one call")
            case .timeBased(let seconds):
                precondition(seconds >= 1, "a time-based sliding window needs at least one second")
            }
            precondition(minimumNumberOfCalls >= 1, "minimumNumberOfCalls must be at least 1")
            precondition(waitDurationInOpenState >= .zero, "waitDurationInOpenState must not be negative")
            precondition(permittedNumberOfCallsInHalfOpenState >= 1, "permittedNumberOfCallsInHalfOpenState must be at least 1")
            if let slowCalls {
                precondition(slowCalls.rateThreshold > 0 && slowCalls.rateThreshold <= 100, "slow-call rateThreshold must be in (0, 100]")
                precondition(slowCalls.durationThreshold >= .zero, "slow-call durationThreshold must not be negative")
            }
        }
    }
}
