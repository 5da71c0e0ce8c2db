/// The values bound to a statement's parameters, by position (`?`) or by name (`:name`, `@name`, `$name`).
///
/// ```swift
/// try conn.execute("UPDATE item SET name = ? WHERE id = ?", [name, id])
/// try conn.execute("UPDATE item SET name = :name WHERE id = :id", ["name": name, "id": id])
/// ```
///
/// Values are bound, never spliced into SQL text, and never appear in error messages.
public struct StatementArguments: Sendable, Hashable {
    enum Values: Sendable, Hashable {
        case positional([SQLValue])
        case named([String: SQLValue])
    }

    let values: Values

    /// Positional arguments, bound to `?` parameters in order.
    public init(_ values: [SQLValue]) {
        self.values = .positional(values)
    }

    /// Named arguments; a key may be written with or without its `:`, `@` or `$` prefix.
    public init(named values: [String: SQLValue]) {
        self.values = .named(values)
    }

    /// Whether there is nothing to bind.
    public var isEmpty: Bool {
        switch values {
        case .positional(let list): list.isEmpty
        case .named(let map): map.isEmpty
        }
    }
}

extension StatementArguments: ExpressibleByArrayLiteral {
    /// Positional arguments from any convertible values; `nil` binds `NULL`.
    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements.map { $0?.sqlValue ?? .null })
    }
}

extension StatementArguments: ExpressibleByDictionaryLiteral {
    /// Named arguments from any convertible values; `nil` binds `NULL`.
    public init(dictionaryLiteral elements: (String, (any SQLValueConvertible)?)...) {
        var map: [String: SQLValue] = [:]
        for (key, value) in elements {
            map[key] = value?.sqlValue ?? .null
        }
        self.init(named: map)
    }
}
