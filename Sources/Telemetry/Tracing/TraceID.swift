/// The 16-byte identifier shared by every span of one trace, written as 32 lowercase hex digits.
///
/// An all-zero id is invalid in W3C Trace Context, so no `TraceID` value is ever all zero.
public struct TraceID: Sendable, Hashable {
    /// The first 8 bytes, big-endian.
    public let high: UInt64
    /// The last 8 bytes, big-endian.
    public let low: UInt64

    private init(uncheckedHigh high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates an id from its two halves; `nil` if both are zero.
    ///
    /// - Parameters:
    ///   - high: The first 8 bytes, big-endian.
    ///   - low: The last 8 bytes, big-endian.
    public init?(high: UInt64, low: UInt64) {
        guard high != 0 || low != 0 else { return nil }
        self.init(uncheckedHigh: high, low: low)
    }

    /// Parses 32 lowercase hex digits; `nil` for any other length, uppercase or non-hex digits, or all zeros.
    ///
    /// - Parameter hex: For example `"4bf92f3577b34da6a3ce929d0e0e4736"`.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 32, let high = Hex.parse(utf8[0..<16]), let low = Hex.parse(utf8[16..<32]) else { return nil }
        self.init(high: high, low: low)
    }

    /// A random id drawn from `generator`, never all zero.
    ///
    /// - Parameter generator: The source of randomness.
    public static func random(using generator: inout some RandomNumberGenerator) -> TraceID {
        while true {
            if let id = TraceID(high: generator.next(), low: generator.next()) { return id }
        }
    }

    /// A random id drawn from ``IdentifierRandom`` (no system call per id).
    public static func random() -> TraceID {
        var generator = IdentifierRandom()
        return random(using: &generator)
    }
}

extension TraceID: CustomStringConvertible {
    /// The id as 32 lowercase hex digits.
    public var description: String {
        Hex.string(self.high, digits: 16) + Hex.string(self.low, digits: 16)
    }
}

extension TraceID: Codable {
    /// Decodes an id from its 32-digit lowercase hex string.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` if the string is not a valid id.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let hex = try container.decode(String.self)
        guard let id = TraceID(hex: hex) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid trace id \(hex.debugDescription)")
        }
        self = id
    }

    /// Encodes the id as its 32-digit lowercase hex string.
    ///
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
