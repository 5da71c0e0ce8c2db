import Telemetry

/// A retry budget shared by all calls to one service, in the style of Finagle's `RetryBudget`, so a
/// failing dependency sees a bounded trickle of retries instead of a retry storm.
///
/// Within any sliding ``Configuration/window``, retries may not exceed
/// `retryRatio × requests + minRetriesPerSecond × window`. Every call deposits a fraction of a retry
/// when it starts (``recordRequest(now:)``); every retry withdraws one (``tryWithdraw(now:)``). Deposits
/// and withdrawals expire when they leave the window, so a spent budget refills on its own as time passes.
///
/// ```swift
/// var budget = RetryBudget(configuration: .init(window: .seconds(10), minRetriesPerSecond: 10, retryRatio: 0.2))
/// budget.recordRequest(now: clock.now)
/// if budget.tryWithdraw(now: clock.now) { /* retry */ }
/// ```
public struct RetryBudget: Sendable, Hashable {
    /// The size of the budget; defaults are Finagle's.
    public struct Configuration: Sendable, Hashable {
        /// How long deposits and withdrawals count. Default 10 s.
        public var window: Duration
        /// The floor: retries per second allowed even with no traffic. Default 10.
        public var minRetriesPerSecond: Double
        /// Retries allowed per request, for example `0.2` for 20 %. Default 0.2.
        public var retryRatio: Double

        /// Creates a configuration.
        ///
        /// - Precondition: `window > 0`, `minRetriesPerSecond >= 0`, `retryRatio` in `0...1000`.
        public init(window: Duration = .seconds(10), minRetriesPerSecond: Double = 10, retryRatio: Double = 0.2) {
            precondition(window > .zero, "the budget window must be positive")
            precondition(minRetriesPerSecond >= 0, "minRetriesPerSecond must not be negative")
            precondition(retryRatio >= 0 && retryRatio <= 1000, "retryRatio must be in 0...1000")
            self.window = window
            self.minRetriesPerSecond = minRetriesPerSecond
            self.retryRatio = retryRatio
        }
    }

    private struct Slice: Sendable, Hashable {
        var number: Int64
        var units: Int64
    }

    /// One retry, in the integer units the budget counts in (fractions of a retry stay exact).
    private static let unitsPerRetry: Int64 = 1000
    private static let sliceCount = 10

    /// The configuration the budget was created with.
    public let configuration: Configuration
    private let sliceNanoseconds: Int64
    private let reserveUnits: Int64
    private let depositUnits: Int64
    private var slices: [Slice]

    /// Creates a full budget.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        sliceNanoseconds = max(1, configuration.window.clampedNanoseconds / Int64(Self.sliceCount))
        reserveUnits = Int64((configuration.minRetriesPerSecond * (configuration.window / .seconds(1)) * Double(Self.unitsPerRetry)).rounded())
        depositUnits = Int64((configuration.retryRatio * Double(Self.unitsPerRetry)).rounded())
        slices = Array(repeating: Slice(number: .min, units: 0), count: Self.sliceCount)
    }

    /// Records that a call to the service started (retries excluded), adding its share to the budget.
    public mutating func recordRequest(now: ServiceInstant) {
        add(depositUnits, now: now)
    }

    /// Takes one retry out of the budget if there is one.
    ///
    /// - Returns: `true` when the retry may go ahead.
    public mutating func tryWithdraw(now: ServiceInstant) -> Bool {
        guard balance(now: now) >= Self.unitsPerRetry else {
            return false
        }
        add(-Self.unitsPerRetry, now: now)
        return true
    }

    /// The number of retries the budget would allow right now.
    public func availableRetries(now: ServiceInstant) -> Int {
        Int(max(0, balance(now: now)) / Self.unitsPerRetry)
    }

    private func balance(now: ServiceInstant) -> Int64 {
        let current = sliceNumber(now)
        var total = reserveUnits
        for slice in slices where slice.number > current - Int64(Self.sliceCount) && slice.number <= current {
            total += slice.units
        }
        return total
    }

    private mutating func add(_ units: Int64, now: ServiceInstant) {
        let number = sliceNumber(now)
        let count = Int64(Self.sliceCount)
        let index = Int(((number % count) + count) % count)
        if slices[index].number != number {
            slices[index] = Slice(number: number, units: 0)
        }
        slices[index].units += units
    }

    private func sliceNumber(_ instant: ServiceInstant) -> Int64 {
        let nanoseconds = instant.offset.clampedNanoseconds
        let quotient = nanoseconds / sliceNanoseconds
        return nanoseconds < 0 && nanoseconds % sliceNanoseconds != 0 ? quotient - 1 : quotient
    }
}
