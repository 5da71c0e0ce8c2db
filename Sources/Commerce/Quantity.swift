/// How many units of a product: a positive count, at most ``maximum``.
///
/// It is validated when created and when decoded, so a `Quantity` in a request is always usable; on the wire it
/// is a plain JSON integer (`3`). Zero is not a quantity: removing a line is its own operation.
///
/// It is deliberately not `ExpressibleByIntegerLiteral`: `Quantity(0)` would then be a literal that traps, not a
/// call of the throwing initializer.
///
/// ```swift
/// let three = try Quantity(3)
/// try Quantity(0)          // throws QuantityError.notPositive(0)
/// let line = try price * three
/// ```
public struct Quantity: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The largest quantity: more than any basket or stock movement needs, and small enough that a quantity times
    /// any price below 9.2 × 10¹² minor units (92 billion euros) cannot overflow.
    public static let maximum = 1_000_000

    /// The count, from 1 to ``maximum``.
    public let value: Int

    /// Creates a quantity.
    /// - Throws: ``QuantityError/notPositive(_:)`` for zero or less, ``QuantityError/tooLarge(_:)`` above
    ///   ``maximum``.
    public init(_ value: Int) throws(QuantityError) {
        guard value >= 1 else { throw .notPositive(value) }
        guard value <= Self.maximum else { throw .tooLarge(value) }
        self.value = value
    }

    /// Decodes a plain JSON integer.
    /// - Throws: `DecodingError.dataCorrupted` (its underlying error a ``QuantityError``) for a number out of range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Int.self)
        do {
            try self.init(value)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes as a plain JSON integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// The sum of two quantities, as when the same product is added to a cart twice.
    /// - Throws: ``QuantityError/tooLarge(_:)`` when the sum exceeds ``maximum``.
    public func adding(_ other: Quantity) throws(QuantityError) -> Quantity {
        // Both are at most `maximum`, so the sum cannot overflow `Int`.
        try Quantity(value + other.value)
    }

    /// Orders by count.
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }

    /// The count.
    public var description: String { String(value) }
}

/// Why a number is not a ``Quantity``.
public enum QuantityError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// The number is zero or negative.
    case notPositive(Int)
    /// The number is above ``Quantity/maximum``.
    case tooLarge(Int)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .notPositive(let value): "A quantity must be at least 1, not \(value)."
        case .tooLarge(let value): "A quantity can be at most \(Quantity.maximum), not \(value)."
        }
    }
}
