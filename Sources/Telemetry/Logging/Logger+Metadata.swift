extension Logger {
    /// Structured fields attached to a log record, printed under `fields` by ``JSONLinesLogHandler``.
    public typealias Metadata = [String: MetadataValue]

    /// One metadata value: a string, a value printed through its description, a dictionary or an array.
    ///
    /// Write values with literals; interpolation turns anything into a string:
    ///
    /// ```swift
    /// logger.info("order placed", metadata: [
    ///     "order": "\(order.id)",
    ///     "lines": ["\(first.sku)", "\(second.sku)"],
    ///     "customer": ["id": "\(customer.id)", "tier": "gold"],
    /// ])
    /// ```
    public enum MetadataValue: Sendable {
        /// A string, printed as a JSON string.
        case string(String)
        /// A value printed through its `description`, formatted only when the record is emitted.
        case stringConvertible(any CustomStringConvertible & Sendable)
        /// Nested fields, printed as a JSON object.
        case dictionary(Metadata)
        /// A list, printed as a JSON array.
        case array([MetadataValue])
    }
}

extension Logger.MetadataValue: Equatable {
    /// Compares two values; ``Logger/MetadataValue/stringConvertible(_:)`` values compare by description.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.string(let lhs), .string(let rhs)): lhs == rhs
        case (.stringConvertible(let lhs), .stringConvertible(let rhs)): lhs.description == rhs.description
        case (.dictionary(let lhs), .dictionary(let rhs)): lhs == rhs
        case (.array(let lhs), .array(let rhs)): lhs == rhs
        default: false
        }
    }
}

extension Logger.MetadataValue: CustomStringConvertible {
    /// A readable rendering: strings as they are, collections in Swift literal style.
    public var description: String {
        switch self {
        case .string(let value):
            return value
        case .stringConvertible(let value):
            return value.description
        case .array(let values):
            return "[" + values.map(\.quotedDescription).joined(separator: ", ") + "]"
        case .dictionary(let values):
            guard !values.isEmpty else { return "[:]" }
            let entries = values.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription): \($0.value.quotedDescription)" }
            return "[" + entries.joined(separator: ", ") + "]"
        }
    }

    private var quotedDescription: String {
        switch self {
        case .string, .stringConvertible: self.description.debugDescription
        case .array, .dictionary: self.description
        }
    }
}

extension Logger.MetadataValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    /// Creates a ``Logger/MetadataValue/string(_:)`` value from a string literal.
    ///
    /// - Parameter value: The text.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Creates a ``Logger/MetadataValue/string(_:)`` value from an interpolated string literal.
    ///
    /// - Parameter stringInterpolation: The interpolation the compiler builds.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self = .string(String(stringInterpolation: stringInterpolation))
    }
}

extension Logger.MetadataValue: ExpressibleByDictionaryLiteral {
    /// Creates a ``Logger/MetadataValue/dictionary(_:)`` value from a dictionary literal.
    ///
    /// - Parameter elements: The key-value pairs; keys must be unique.
    public init(dictionaryLiteral elements: (String, Logger.MetadataValue)...) {
        self = .dictionary(Logger.Metadata(uniqueKeysWithValues: elements))
    }
}

extension Logger.MetadataValue: ExpressibleByArrayLiteral {
    /// Creates an ``Logger/MetadataValue/array(_:)`` value from an array literal.
    ///
    /// - Parameter elements: The values.
    public init(arrayLiteral elements: Logger.MetadataValue...) {
        self = .array(elements)
    }
}
