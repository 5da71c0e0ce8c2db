/// The 8-byte identifier of one span, written as 16 lowercase hex digits.
///
/// An all-zero id is invalid in W3C Trace Context, so no `SpanID` value is ever zero.
public struct SpanID: Sendable, Hashable {
    /// The 8 bytes, big-endian.
    public let rawValue: UInt64

    /// Creates an id from its 8 bytes; `nil` for zero.
    ///
    /// - Parameter rawValue: The 8 bytes, big-endian.
    public init?(rawValue: UInt64) {
        guard rawValue != 0 else { return nil }
        self.rawValue = rawValue
    }

    /// Parses 16 lowercase hex digits; `nil` for any other length, uppercase or non-hex digits, or all zeros.
    ///
    /// - Parameter hex: For example `"00f067aa0ba902b7"`.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 16, let value = Hex.parse(utf8) else { return nil }
        self.init(rawValue: value)
    }

    /// A random id drawn from `generator`, never zero.
    ///
    /// - Parameter generator: The source of randomness.
    public static func random(using generator: inout some RandomNumberGenerator) -> SpanID {
        while true {
            if let id = SpanID(rawValue: generator.next()) { return id }
        }
    }

    /// A random id drawn from ``IdentifierRandom`` (no system call per id).
    public static func random() -> SpanID {
        var generator = IdentifierRandom()
        return random(using: &generator)
    }
}

extension SpanID: CustomStringConvertible {
    /// The id as 16 lowercase hex digits.
    public var description: String {
        Hex.string(self.rawValue, digits: 16)
    }
}

extension SpanID: Codable {
    /// Decodes an id from its 16-digit lowercase hex string.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` if the string is not a valid id.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let hex = try container.decode(String.self)
        guard let id = SpanID(hex: hex) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid span id \(hex.debugDescription)")
        }
        self = id
    }

    /// Encodes the id as its 16-digit lowercase hex string.
    ///
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
