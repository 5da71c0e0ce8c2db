public import Foundation

/// One SQLite value: the five storage classes SQLite knows.
///
/// `SQLValue` is what crosses the boundary between Swift and SQLite. Bind it as a statement argument,
/// read it from a ``Row``. Literals work directly:
///
/// ```swift
/// try conn.execute("INSERT INTO item(id, name, price) VALUES (?, ?, ?)", [42, "Lamp", nil])
/// ```
public enum SQLValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A signed 64-bit integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text. Embedded NUL characters are kept.
    case text(String)
    /// Bytes, possibly empty.
    case blob(Data)

    /// The storage class name as SQLite spells it, for error messages.
    public var typeName: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }

    /// Whether the value is SQL `NULL`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }
}

extension SQLValue: ExpressibleByNilLiteral {
    /// Creates `NULL`.
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue: ExpressibleByIntegerLiteral {
    /// Creates an integer value.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLValue: ExpressibleByFloatLiteral {
    /// Creates a real value.
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLValue: ExpressibleByStringLiteral {
    /// Creates a text value.
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue: ExpressibleByBooleanLiteral {
    /// Creates the integer 1 or 0, SQLite's booleans.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
