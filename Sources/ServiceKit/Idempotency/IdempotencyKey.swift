/// A client's name for one operation, so that sending it again (after a timeout, a dropped connection, a crash)
/// does the operation at most once: Stripe's `Idempotency-Key`.
///
/// A key is 1 to 255 printable ASCII characters (space to tilde); a random UUID is the usual choice. It is
/// checked when created and when decoded, and on the wire it is a plain JSON string.
///
/// ```swift
/// let key = try IdempotencyKey("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
/// ```
public struct IdempotencyKey: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The most characters a key may have.
    public static let maximumLength = 255

    /// The key's text.
    public let rawValue: String

    /// Checks and wraps a key.
    /// - Throws: ``IdempotencyFailure/invalidKey`` when `text` is empty, longer than ``maximumLength``, or holds a
    ///   character outside printable ASCII.
    public init(_ text: String) throws(IdempotencyFailure) {
        guard Self.isValid(text) else { throw .invalidKey }
        rawValue = text
    }

    /// Wraps a valid key, or returns `nil`.
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Decodes a plain JSON string.
    /// - Throws: `DecodingError.dataCorrupted` when the string is not a valid key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard Self.isValid(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: IdempotencyFailure.invalidKey.description)
        }
        rawValue = text
    }

    /// Encodes as a plain JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Whether `text` has the form of a key: 1 to ``maximumLength`` characters, each printable ASCII.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        return (1...maximumLength).contains(bytes.count) && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// The key's text.
    public var description: String { rawValue }
}
