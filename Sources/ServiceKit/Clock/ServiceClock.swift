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
