/// Identifies one running instance of a service, such as `catalog-2`.
public struct InstanceID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The identifier's text.
    public let rawValue: String

    /// Wraps `rawValue`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps `rawValue`.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps a literal, for example `let id: InstanceID = "catalog-1"`.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// Orders identifiers by their text.
    public static func < (lhs: InstanceID, rhs: InstanceID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The identifier's text.
    public var description: String {
        rawValue
    }
}
