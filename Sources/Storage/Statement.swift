internal import CSQLite
import Foundation

/// A prepared statement, cached by its ``Connection`` and reused for every execution of the same SQL.
///
/// Get one from ``Connection/prepare(_:)``; most code calls ``Connection/execute(_:_:)`` and
/// ``Connection/query(_:_:)``, which use this cache. A statement belongs to its connection and must not escape
/// the closure that received the connection.
public final class Statement {
    /// The SQL text as prepared.
    public let sql: String
    let handle: OpaquePointer
    private unowned let connection: Connection
    private var columnNames: ColumnNames?

    init(connection: Connection, sql: String) throws {
        self.sql = sql
        self.connection = connection
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sql.withCString { text in
            sqlite3_prepare_v3(connection.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
        }
        guard code == SQLITE_OK, let statement else {
            throw connection.error(code: code, sql: sql)
        }
        if let tail, tail.pointee != 0, !String(cString: tail).allSatisfy(\.isWhitespace) {
            sqlite3_finalize(statement)
            throw StorageError(
                kind: .invalidArguments,
                message: "more than one statement in the SQL text; use executeScript(_:) for scripts",
                sql: sql
            )
        }
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Whether the statement leaves the database unchanged.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// Runs the statement to completion, discarding any rows.
    /// - Throws: ``StorageError`` on bad arguments or an SQLite error.
    public func execute(_ arguments: StatementArguments = []) throws {
        try bind(arguments)
        defer { reset() }
        while try step() {}
    }

    /// Runs the statement and calls `body` with each row as it is produced, without collecting them.
    /// - Throws: ``StorageError``, or whatever `body` throws (which stops the iteration).
    public func forEach(_ arguments: StatementArguments = [], _ body: (Row) throws -> Void) throws {
        try bind(arguments)
        defer { reset() }
        let columns = resultColumns()
        while try step() {
            try body(currentRow(columns))
        }
    }

    /// Runs the statement and returns every row.
    /// - Throws: ``StorageError``.
    public func query(_ arguments: StatementArguments = []) throws -> [Row] {
        var rows: [Row] = []
        try forEach(arguments) { rows.append($0) }
        return rows
    }

    /// Runs the statement and returns its first row, or `nil` when there is none.
    /// - Throws: ``StorageError``.
    public func queryFirst(_ arguments: StatementArguments = []) throws -> Row? {
        try bind(arguments)
        defer { reset() }
        return try step() ? currentRow(resultColumns()) : nil
    }

    // MARK: - Stepping

    /// Advances the statement; `true` while it produced a row.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw connection.error(code: code, sql: sql)
        }
    }

    func reset() {
        // The error of a failed step was already thrown; reset repeats it and is not a new failure.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func resultColumns() -> ColumnNames {
        let count = Int(sqlite3_column_count(handle))
        if let columnNames, columnNames.names.count == count {
            return columnNames
        }
        // A schema change can re-prepare the statement with different columns; rebuild then.
        let names = (0..<count).map { String(cString: sqlite3_column_name(handle, Int32($0))) }
        let columns = ColumnNames(names: names, sql: sql)
        columnNames = columns
        return columns
    }

    private func currentRow(_ columns: ColumnNames) -> Row {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.names.count)
        for index in 0..<Int32(columns.names.count) {
            values.append(columnValue(index))
        }
        return Row(columns: columns, values: values)
    }

    private func columnValue(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            let bytes = sqlite3_column_text(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let bytes, count > 0 else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let bytes, count > 0 else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    // MARK: - Binding

    private func bind(_ arguments: StatementArguments) throws {
        let parameterCount = Int(sqlite3_bind_parameter_count(handle))
        switch arguments.values {
        case .positional(let values):
            guard values.count == parameterCount else {
                throw StorageError(
                    kind: .invalidArguments,
                    message: "the statement has \(parameterCount) parameters but \(values.count) arguments were given",
                    sql: sql
                )
            }
            for (offset, value) in values.enumerated() {
                try bind(value, at: Int32(offset + 1))
            }
        case .named(let values):
            guard values.count == parameterCount else {
                throw StorageError(
                    kind: .invalidArguments,
                    message: "the statement has \(parameterCount) parameters but \(values.count) named arguments were given",
                    sql: sql
                )
            }
            for (name, value) in values {
                guard let index = parameterIndex(named: name) else {
                    throw StorageError(kind: .invalidArguments, message: "the statement has no parameter named '\(name)'", sql: sql)
                }
                try bind(value, at: index)
            }
        }
    }

    private func parameterIndex(named name: String) -> Int32? {
        let candidates = name.first.map { ":@$".contains($0) } == true ? [name] : [":" + name, "@" + name, "$" + name]
        for candidate in candidates {
            let index = sqlite3_bind_parameter_index(handle, candidate)
            if index > 0 { return index }
        }
        return nil
    }

    private func bind(_ value: SQLValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            code = text.withUTF8 { bytes in
                // A null pointer would bind NULL, so an empty string gets a real (empty) buffer.
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let data):
            if data.isEmpty {
                // A null pointer would bind NULL; a zero-length blob stays a blob.
                code = sqlite3_bind_zeroblob(handle, index, 0)
            } else {
                code = data.withUnsafeBytes { bytes in
                    sqlite3_bind_blob64(handle, index, bytes.baseAddress, UInt64(bytes.count), csqlite_transient())
                }
            }
        }
        guard code == SQLITE_OK else { throw connection.error(code: code, sql: sql) }
    }
}
