/// Attributes of a span or span event, by key, such as `"http.method": "GET"`.
public typealias SpanAttributes = [String: SpanAttribute]

/// A span attribute value: a string, an integer, a floating-point number or a Boolean.
///
/// Literals work directly: `span["http.status_code"] = 200`, `span["cache.hit"] = true`.
public enum SpanAttribute: Sendable, Hashable, Codable {
    /// A string value.
    case string(String)
    /// An integer value.
    case int(Int64)
    /// A floating-point value.
    case double(Double)
    /// A Boolean value.
    case bool(Bool)
}

extension SpanAttribute: CustomStringConvertible {
    /// The value as text, without quotes.
    public var description: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        }
    }
}

extension SpanAttribute: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    /// Creates a ``string(_:)`` attribute from a string literal.
    ///
    /// - Parameter value: The text.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Creates a ``string(_:)`` attribute from an interpolated string literal.
    ///
    /// - Parameter stringInterpolation: The interpolation the compiler builds.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self = .string(String(stringInterpolation: stringInterpolation))
    }
}

extension SpanAttribute: ExpressibleByIntegerLiteral {
    /// Creates an ``int(_:)`` attribute from an integer literal.
    ///
    /// - Parameter value: The number.
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension SpanAttribute: ExpressibleByFloatLiteral {
    /// Creates a ``double(_:)`` attribute from a floating-point literal.
    ///
    /// - Parameter value: The number.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension SpanAttribute: ExpressibleByBooleanLiteral {
    /// Creates a ``bool(_:)`` attribute from a Boolean literal.
    ///
    /// - Parameter value: The flag.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}
