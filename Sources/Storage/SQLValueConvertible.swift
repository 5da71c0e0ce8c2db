public import Foundation

/// A Swift type that converts to and from an ``SQLValue``.
///
/// Conform identifier wrappers and enums so they bind and decode directly:
///
/// ```swift
/// extension ProductID: SQLValueConvertible {
///     public var sqlValue: SQLValue { .text(rawValue) }
///     public init?(sqlValue: SQLValue) {
///         guard case .text(let text) = sqlValue else { return nil }
///         self.init(rawValue: text)
///     }
/// }
/// ```
public protocol SQLValueConvertible: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Converts a stored value, or returns `nil` when the value has the wrong storage class or range.
    init?(sqlValue: SQLValue)
}

extension SQLValue: SQLValueConvertible {
    /// The value itself.
    public var sqlValue: SQLValue { self }
    /// Any value converts to itself.
    public init?(sqlValue: SQLValue) { self = sqlValue }
}

extension Int64: SQLValueConvertible {
    /// An integer value.
    public var sqlValue: SQLValue { .integer(self) }
    /// Converts `INTEGER` only.
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Int: SQLValueConvertible {
    /// An integer value.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Converts `INTEGER` values that fit.
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue, let exact = Int(exactly: value) else { return nil }
        self = exact
    }
}

extension Int32: SQLValueConvertible {
    /// An integer value.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Converts `INTEGER` values that fit.
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue, let exact = Int32(exactly: value) else { return nil }
        self = exact
    }
}

extension Double: SQLValueConvertible {
    /// A real value.
    public var sqlValue: SQLValue { .real(self) }
    /// Converts `REAL` and, widening, `INTEGER`.
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension Bool: SQLValueConvertible {
    /// The integer 1 or 0.
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    /// Converts the integers 0 and 1 only.
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(0): self = false
        case .integer(1): self = true
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    /// A text value.
    public var sqlValue: SQLValue { .text(self) }
    /// Converts `TEXT` only.
    public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Data: SQLValueConvertible {
    /// A blob value.
    public var sqlValue: SQLValue { .blob(self) }
    /// Converts `BLOB` only.
    public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

extension UUID: SQLValueConvertible {
    /// The canonical text form, so rows stay readable in the `sqlite3` shell.
    public var sqlValue: SQLValue { .text(uuidString) }
    /// Converts `TEXT` holding a UUID.
    public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self.init(uuidString: value)
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    /// `NULL` for `nil`, else the wrapped value's.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    /// `NULL` converts to `nil`; anything else must convert to `Wrapped`.
    public init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}
