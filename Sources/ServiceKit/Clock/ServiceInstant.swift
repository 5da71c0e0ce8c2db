/// A point in time on a ``ServiceClock``, measured as the time elapsed since the clock's origin.
///
/// State machines in ServiceKit take a `ServiceInstant` instead of reading a clock, so tests and
/// deterministic simulations decide what time it is. Instants from different clocks are not comparable
/// in any meaningful way; keep one clock per process (or per simulation).
public struct ServiceInstant: InstantProtocol, Codable, CustomStringConvertible {
    /// Time elapsed since the clock's origin.
    public var offset: Duration

    /// Creates the instant that lies `offset` after the clock's origin.
    public init(offset: Duration) {
        self.offset = offset
    }

    /// The clock's origin: a ``ManualClock`` starts here by default.
    public static let origin = ServiceInstant(offset: .zero)

    /// Returns the instant `duration` later (earlier, when negative).
    public func advanced(by duration: Duration) -> ServiceInstant {
        ServiceInstant(offset: offset + duration)
    }

    /// Returns the time from this instant to `other`, negative when `other` is earlier.
    public func duration(to other: ServiceInstant) -> Duration {
        other.offset - offset
    }

    /// Returns the instant `duration` after `instant`.
    public static func + (instant: ServiceInstant, duration: Duration) -> ServiceInstant {
        instant.advanced(by: duration)
    }

    /// Returns the instant `duration` before `instant`.
    public static func - (instant: ServiceInstant, duration: Duration) -> ServiceInstant {
        instant.advanced(by: .zero - duration)
    }

    /// Returns the time from `rhs` to `lhs`.
    public static func - (lhs: ServiceInstant, rhs: ServiceInstant) -> Duration {
        rhs.duration(to: lhs)
    }

    /// Orders instants by their offset from the origin.
    public static func < (lhs: ServiceInstant, rhs: ServiceInstant) -> Bool {
        lhs.offset < rhs.offset
    }

    /// The offset from the origin, for example `origin + 1.5 seconds`.
    public var description: String {
        "origin + \(offset)"
    }
}
