/// One result row: its values, and typed access by column name or index.
///
/// Typed access throws ``StorageError`` with kind ``StorageError/Kind/columnNotFound`` or
/// ``StorageError/Kind/typeMismatch`` naming the column, instead of crashing or guessing:
///
/// ```swift
/// let id: Int64 = try row["id"]
/// let note: String? = try row["note"]   // NULL becomes nil
/// ```
public struct Row: Sendable {
    /// The result columns, shared by every row of one query.
    let columns: ColumnNames
    /// The values in column order.
    public let values: [SQLValue]

    init(columns: ColumnNames, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The column names in result order.
    public var columnNames: [String] { columns.names }

    /// The raw value of a column by name, or `nil` when there is no such column.
    public func value(named name: String) -> SQLValue? {
        columns.index(of: name).map { values[$0] }
    }

    /// The value of a column by name, converted to `T`.
    /// - Throws: ``StorageError`` when the column is missing or its value does not convert.
    public subscript<T: SQLValueConvertible>(_ name: String) -> T {
        get throws {
            guard let index = columns.index(of: name) else {
                throw StorageError(
                    kind: .columnNotFound,
                    message: "no column named '\(name)' in the row; columns are \(columns.names)",
                    sql: columns.sql
                )
            }
            return try convert(index: index)
        }
    }

    /// The value of a column by zero-based index, converted to `T`.
    /// - Throws: ``StorageError`` when the index is out of range or the value does not convert.
    public subscript<T: SQLValueConvertible>(_ index: Int) -> T {
        get throws {
            guard values.indices.contains(index) else {
                throw StorageError(
                    kind: .columnNotFound,
                    message: "no column at index \(index); the row has \(values.count) columns",
                    sql: columns.sql
                )
            }
            return try convert(index: index)
        }
    }

    private func convert<T: SQLValueConvertible>(index: Int) throws -> T {
        let value = values[index]
        guard let converted = T(sqlValue: value) else {
            throw StorageError(
                kind: .typeMismatch,
                message: "column '\(columns.names[index])' holds \(value.typeName), which does not convert to \(T.self)",
                sql: columns.sql
            )
        }
        return converted
    }
}

/// Column names and a name-to-index map, built once per prepared statement and shared by its rows.
final class ColumnNames: Sendable {
    let names: [String]
    let sql: String
    private let indexByName: [String: Int]

    init(names: [String], sql: String) {
        self.names = names
        self.sql = sql
        var map: [String: Int] = [:]
        // SQLite resolves column names case-insensitively; the first of duplicate names wins, as in GRDB.
        for (index, name) in names.enumerated() where map[name.lowercased()] == nil {
            map[name.lowercased()] = index
        }
        indexByName = map
    }

    func index(of name: String) -> Int? {
        indexByName[name] ?? indexByName[name.lowercased()]
    }
}
