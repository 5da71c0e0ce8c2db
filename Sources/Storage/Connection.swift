internal import CSQLite

/// One SQLite connection, handed to the closures of ``Database/read(_:)`` and ``Database/write(_:)``.
///
/// A connection is used by one thread at a time and must not escape the closure that received it. Statements are
/// prepared once per connection and cached by their SQL text, so repeated calls with the same SQL are cheap.
public final class Connection {
    let handle: OpaquePointer
    /// Where the connection's file is, or `:memory:`.
    public let path: String
    private var statements: [String: Statement] = [:]
    private let statementCacheCapacity: Int
    /// Work to run once the current transaction commits; dropped when it rolls back.
    private var afterCommitActions: [@Sendable () -> Void] = []

    /// Opens and configures a connection.
    init(path: String, flags: Int32, configuration: Database.Configuration) throws {
        var handle: OpaquePointer?
        // NOMUTEX: the Database hands a connection to one thread at a time, so SQLite's own mutex is redundant.
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            if let handle { sqlite3_close_v2(handle) }
            throw StorageError(
                kind: .sqlite,
                resultCode: SQLiteResultCode(rawValue: code),
                message: "cannot open database at \(path): \(message)"
            )
        }
        self.handle = handle
        self.path = path
        self.statementCacheCapacity = configuration.statementCacheCapacity
        sqlite3_extended_result_codes(handle, 1)
        // Whole milliseconds, rounded up so that a sub-millisecond timeout still waits; clamped to what SQLite takes.
        let busyMilliseconds = min(Double(Int32.max), max(0, (configuration.busyTimeout / .milliseconds(1)).rounded(.up)))
        sqlite3_busy_timeout(handle, Int32(busyMilliseconds))
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: - Running SQL

    /// Returns the cached prepared statement for `sql`, preparing it on first use.
    /// - Throws: ``StorageError`` when the SQL does not compile or holds more than one statement.
    public func prepare(_ sql: String) throws -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try Statement(connection: self, sql: sql)
        if statements.count >= statementCacheCapacity {
            // Rare in practice (a module's SQL is a fixed set); dropping all keeps the cache simple and bounded.
            statements.removeAll(keepingCapacity: true)
        }
        statements[sql] = statement
        return statement
    }

    /// Runs one statement that returns no rows of interest.
    /// - Throws: ``StorageError``.
    public func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try prepare(sql).execute(arguments)
    }

    /// Runs a script of several statements without arguments, such as a migration. Not cached.
    /// - Throws: ``StorageError`` naming the script.
    public func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            throw StorageError(
                kind: .sqlite,
                resultCode: SQLiteResultCode(rawValue: sqlite3_extended_errcode(handle)),
                message: text,
                sql: sql
            )
        }
    }

    /// Runs a query and returns all rows.
    /// - Throws: ``StorageError``.
    public func query(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try prepare(sql).query(arguments)
    }

    /// Runs a query and returns the first row, or `nil`.
    /// - Throws: ``StorageError``.
    public func queryFirst(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try prepare(sql).queryFirst(arguments)
    }

    /// Runs a query and calls `body` for each row without collecting them.
    /// - Throws: ``StorageError`` or what `body` throws.
    public func forEach(_ sql: String, _ arguments: StatementArguments = [], _ body: (Row) throws -> Void) throws {
        try prepare(sql).forEach(arguments, body)
    }

    /// Runs a query and decodes every row.
    /// - Throws: ``StorageError`` or what the decoder throws.
    public func fetchAll<T: RowDecodable>(_ type: T.Type, _ sql: String, _ arguments: StatementArguments = []) throws -> [T] {
        var result: [T] = []
        try forEach(sql, arguments) { result.append(try T(row: $0)) }
        return result
    }

    /// Runs a query and decodes the first row, or returns `nil`.
    /// - Throws: ``StorageError`` or what the decoder throws.
    public func fetchOne<T: RowDecodable>(_ type: T.Type, _ sql: String, _ arguments: StatementArguments = []) throws -> T? {
        try queryFirst(sql, arguments).map { try T(row: $0) }
    }

    /// Runs a query and converts the first column of the first row; `nil` when there is no row.
    ///
    /// ```swift
    /// let count = try conn.scalar(Int.self, "SELECT count(*) FROM item") ?? 0
    /// ```
    /// - Throws: ``StorageError``, also when the value does not convert to `T`.
    public func scalar<T: SQLValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: StatementArguments = []) throws -> T? {
        guard let row = try queryFirst(sql, arguments) else { return nil }
        return try row[0] as T
    }

    /// The rowid of the most recent successful `INSERT` on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows changed by the most recent `INSERT`, `UPDATE` or `DELETE`.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: - Transactions

    /// Runs `action` after the current write transaction commits, on the committing thread; never if it rolls
    /// back (including when the enclosing savepoint rolls back).
    ///
    /// This is how work that must only follow durable state reacts to it, for example waking the outbox relay:
    ///
    /// ```swift
    /// try db.write { conn in
    ///     try conn.execute("INSERT INTO outbox ...", [...])
    ///     conn.afterCommit { relay.wake() }
    /// }
    /// ```
    /// - Precondition: a transaction is open (call it inside ``Database/write(_:)``).
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        precondition(isInTransaction, "afterCommit(_:) needs an open write transaction")
        afterCommitActions.append(action)
    }

    /// Runs `body` inside a savepoint: if `body` throws, only its changes are undone and the error propagates,
    /// while the enclosing transaction stays open.
    ///
    /// Inside ``Database/write(_:)`` this is how a nested write is expressed; a nested `Database.write` on the
    /// same thread turns into one automatically.
    /// - Throws: what `body` throws, or ``StorageError``.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        // One fixed name: SQLite resolves ROLLBACK TO and RELEASE to the innermost savepoint of that name.
        try execute("SAVEPOINT emporium_savepoint")
        let pendingActions = afterCommitActions.count
        do {
            let result = try body()
            try execute("RELEASE emporium_savepoint")
            return result
        } catch {
            try? execute("ROLLBACK TO emporium_savepoint")
            try? execute("RELEASE emporium_savepoint")
            afterCommitActions.removeSubrange(pendingActions...)
            throw error
        }
    }

    /// Runs `body` in a transaction begun with `begin`; commits on return, rolls back on throw.
    func transaction<T>(begin: String, _ body: (Connection) throws -> T) throws -> T {
        try execute(begin)
        afterCommitActions.removeAll()
        let result: T
        do {
            result = try body(self)
            try execute("COMMIT")
        } catch {
            rollbackIfNeeded()
            afterCommitActions.removeAll()
            throw error
        }
        let actions = afterCommitActions
        afterCommitActions.removeAll()
        for action in actions { action() }
        return result
    }

    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        // ROLLBACK only fails when no transaction is open; there is nothing more to undo then.
        try? execute("ROLLBACK")
    }

    // MARK: - Errors

    func error(code: Int32, sql: String?) -> StorageError {
        let extended = sqlite3_extended_errcode(handle)
        // Misuse codes (for example from a finalized statement) are not recorded as the connection's last error.
        let resultCode = (extended & 0xFF) == (code & 0xFF) ? extended : code
        return StorageError(
            kind: .sqlite,
            resultCode: SQLiteResultCode(rawValue: resultCode),
            message: String(cString: sqlite3_errmsg(handle)),
            sql: sql
        )
    }
}
