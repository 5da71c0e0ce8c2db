// The one hand-written Duration conversion of the platform, here because every platform target but Storage and
// Security depends on Telemetry. Fractional seconds or milliseconds need none: the standard library's
// `duration / .seconds(1)` (or `/ .milliseconds(1)`) divides the exact attosecond counts.
extension Duration {
    /// The duration in whole nanoseconds (attoseconds truncated), clamped to `Int64`'s range: for timers and
    /// arithmetic in integers.
    package var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            return seconds < 0 ? .min : .max
        }
        let (total, overflowAdding) = nanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAdding {
            return seconds < 0 ? .min : .max
        }
        return total
    }

    /// The duration in whole microseconds, clamped as ``clampedNanoseconds``: for timestamps stored as integers.
    package var clampedMicroseconds: Int64 { clampedNanoseconds / 1_000 }
}
