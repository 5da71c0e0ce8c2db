/// The production ``ServiceClock``: monotonic time from `ContinuousClock`, which keeps counting while the
/// machine sleeps and never jumps when the wall clock is adjusted.
///
/// Every `SystemClock` in a process shares one origin (the first time any of them is read), so instants
/// taken from different values are comparable.
public struct SystemClock: ServiceClock {
    private static let origin = ContinuousClock.now

    /// Creates a clock reading the process-wide monotonic time.
    public init() {}

    /// The current instant.
    public var now: ServiceInstant {
        ServiceInstant(offset: Self.origin.duration(to: ContinuousClock.now))
    }

    /// The resolution of the underlying `ContinuousClock`.
    public var minimumResolution: Duration {
        ContinuousClock().minimumResolution
    }

    /// Suspends the current task until `deadline`.
    ///
    /// - Throws: `CancellationError` when the task is cancelled before the deadline.
    public func sleep(until deadline: ServiceInstant, tolerance: Duration?) async throws {
        try await ContinuousClock().sleep(until: Self.origin.advanced(by: deadline.offset), tolerance: tolerance)
    }
}
