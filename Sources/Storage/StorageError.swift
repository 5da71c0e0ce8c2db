/// An error from the storage layer: SQLite's own, a row that does not decode, or a migration that must not run.
///
/// SQLite errors carry the extended result code, SQLite's message and the SQL text. Bound values never appear,
/// so an error can be logged without leaking what was written.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case sqlite
            case columnNotFound
            case typeMismatch
            case invalidArguments
            case unknownMigrations
            case migrationHistoryConflict
            case closed
        }

        private let value: Value

        /// SQLite returned an error code; see ``StorageError/resultCode``.
        public static let sqlite = Kind(value: .sqlite)
        /// A row has no column of the requested name or index.
        public static let columnNotFound = Kind(value: .columnNotFound)
        /// A column's value does not convert to the requested Swift type (including `NULL` to a non-optional).
        public static let typeMismatch = Kind(value: .typeMismatch)
        /// The arguments do not fit the statement's parameters.
        public static let invalidArguments = Kind(value: .invalidArguments)
        /// The database was migrated by a newer build: it holds migrations this build does not know.
        public static let unknownMigrations = Kind(value: .unknownMigrations)
        /// The applied migrations disagree with this build's list (a shipped migration was edited or reordered).
        public static let migrationHistoryConflict = Kind(value: .migrationHistoryConflict)
        /// The database was closed.
        public static let closed = Kind(value: .closed)

        /// A short name for the kind.
        public var description: String { "\(value)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// SQLite's extended result code, for ``Kind/sqlite`` errors.
    public let resultCode: SQLiteResultCode?
    /// A human-readable explanation (SQLite's message for ``Kind/sqlite`` errors).
    public let message: String
    /// The SQL text that failed, without bound values.
    public let sql: String?

    init(kind: Kind, resultCode: SQLiteResultCode? = nil, message: String, sql: String? = nil) {
        self.kind = kind
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// Whether this is a constraint violation of any kind (unique, foreign key, not null, check, ...).
    public var isConstraintViolation: Bool { resultCode?.primary == .constraint }

    /// One line: kind, code, message and SQL.
    public var description: String {
        var text = "StorageError.\(kind)"
        if let resultCode { text += " (\(resultCode))" }
        text += ": \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }
}
