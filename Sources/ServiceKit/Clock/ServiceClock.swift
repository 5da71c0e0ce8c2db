public import Foundation

/// The clock every ServiceKit component reads time from.
///
/// A refinement of the standard library's `Clock` with a fixed instant type, ``ServiceInstant``, so the
/// resilience state machines can be written against plain values and driven by any clock: ``SystemClock``
/// in production, ``ManualClock`` in tests and deterministic simulations.
///
/// ```swift
/// let clock = ManualClock()
/// var breaker = CircuitBreaker()
/// let acquisition = breaker.acquirePermission(now: clock.now)
/// ```
public protocol ServiceClock: Clock where Instant == ServiceInstant, Duration == Swift.Duration {}

extension ServiceClock {
    /// Suspends the current task until `deadline`, with the clock's default tolerance.
    ///
    /// - Throws: `CancellationError` when the task is cancelled before the deadline.
    public func sleep(until deadline: ServiceInstant) async throws {
        try await sleep(until: deadline, tolerance: nil)
    }
}

extension ServiceClock {
    /// The wall-clock time of code that runs on this clock: the system's time on the ``SystemClock``; on any other,
    /// `start` (or the time of this call) moved on as this clock moves, so that a ``ManualClock`` moves a module's
    /// timestamps, expiries and renewals with its timers.
    public func wallClock(startingAt start: Date? = nil) -> @Sendable () -> Date {
        if start == nil, self is SystemClock { return { Date() } }
        let start = start ?? Date()
        let origin = now
        return { start.addingTimeInterval((self.now - origin) / .seconds(1)) }
    }
}
