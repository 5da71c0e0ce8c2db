/// The `trace-flags` byte of a `traceparent` header.
///
/// Only ``sampled`` is defined here; other bits are kept as received so a header round-trips unchanged.
public struct TraceFlags: OptionSet, Sendable, Hashable, Codable {
    /// The flag bits.
    public let rawValue: UInt8

    /// Creates flags from the raw byte.
    ///
    /// - Parameter rawValue: The flag bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The caller may have recorded this trace (bit 0).
    public static let sampled = TraceFlags(rawValue: 0x01)
}
