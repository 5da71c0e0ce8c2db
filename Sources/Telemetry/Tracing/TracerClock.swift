public import Foundation

/// Where a ``Tracer`` reads time: a wall clock for span start times and a monotonic clock for durations.
///
/// Durations come from the monotonic clock, so they stay correct when the wall clock is adjusted.
/// Tests inject fixed or manually advanced closures to get exact start times and durations.
public struct TracerClock: Sendable {
    /// Returns the current wall-clock time.
    public var wallClock: @Sendable () -> Date
    /// Returns the time elapsed since an arbitrary fixed origin; only differences are used.
    public var monotonic: @Sendable () -> Duration

    /// Creates a clock from two closures.
    ///
    /// - Parameters:
    ///   - wallClock: Returns the current wall-clock time.
    ///   - monotonic: Returns the time since a fixed origin; must never go backwards.
    public init(wallClock: @escaping @Sendable () -> Date, monotonic: @escaping @Sendable () -> Duration) {
        self.wallClock = wallClock
        self.monotonic = monotonic
    }

    /// The system clocks: `Date()` for the wall clock and `ContinuousClock` for durations.
    public static let continuous = TracerClock(
        wallClock: { Date() },
        monotonic: { origin.duration(to: ContinuousClock.now) }
    )

    private static let origin = ContinuousClock.now
}
