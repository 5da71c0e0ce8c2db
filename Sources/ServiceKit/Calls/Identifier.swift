/// A typed identifier: a string that cannot be mixed up with another kind of identifier.
///
/// Capabilities name their identifiers with a tag type, so a `ProductID` is not accepted where a `UserID` is
/// expected, while both encode as plain JSON strings:
///
/// ```swift
/// public enum ProductTag {}
/// public typealias ProductID = Identifier<ProductTag>
/// let id: ProductID = "p-00042"
/// ```
public struct Identifier<Tag>: RawRepresentable, Codable, Sendable, Hashable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The identifier text.
    public let rawValue: String

    /// Wraps an identifier.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a literal identifier.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Decodes from a plain JSON string.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    /// Encodes as a plain JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Orders by the identifier text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The identifier text.
    public var description: String { rawValue }
}
