/// An SQLite result code, usually an extended one (`SQLITE_CONSTRAINT_UNIQUE` rather than `SQLITE_CONSTRAINT`).
///
/// Compare with the named constants, or with ``primary`` to match a whole family:
///
/// ```swift
/// catch let error as StorageError where error.resultCode == .constraintUnique { ... }
/// catch let error as StorageError where error.resultCode?.primary == .constraint { ... }
/// ```
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code as SQLite returns it.
    public let rawValue: Int32

    /// Wraps a numeric code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary code: the low eight bits of an extended code.
    public var primary: SQLiteResultCode { SQLiteResultCode(rawValue: rawValue & 0xFF) }

    /// `SQLITE_ERROR`: a generic error, such as an SQL syntax error.
    public static let error = SQLiteResultCode(rawValue: 1)
    /// `SQLITE_PERM`.
    public static let permission = SQLiteResultCode(rawValue: 3)
    /// `SQLITE_ABORT`.
    public static let abort = SQLiteResultCode(rawValue: 4)
    /// `SQLITE_BUSY`: another connection holds a conflicting lock past the busy timeout.
    public static let busy = SQLiteResultCode(rawValue: 5)
    /// `SQLITE_LOCKED`.
    public static let locked = SQLiteResultCode(rawValue: 6)
    /// `SQLITE_NOMEM`.
    public static let noMemory = SQLiteResultCode(rawValue: 7)
    /// `SQLITE_READONLY`.
    public static let readOnly = SQLiteResultCode(rawValue: 8)
    /// `SQLITE_INTERRUPT`.
    public static let interrupt = SQLiteResultCode(rawValue: 9)
    /// `SQLITE_IOERR`.
    public static let ioError = SQLiteResultCode(rawValue: 10)
    /// `SQLITE_CORRUPT`: the file is damaged.
    public static let corrupt = SQLiteResultCode(rawValue: 11)
    /// `SQLITE_FULL`: the disk is full.
    public static let full = SQLiteResultCode(rawValue: 13)
    /// `SQLITE_CANTOPEN`.
    public static let cannotOpen = SQLiteResultCode(rawValue: 14)
    /// `SQLITE_CONSTRAINT`: the family of constraint violations.
    public static let constraint = SQLiteResultCode(rawValue: 19)
    /// `SQLITE_MISMATCH`.
    public static let mismatch = SQLiteResultCode(rawValue: 20)
    /// `SQLITE_MISUSE`.
    public static let misuse = SQLiteResultCode(rawValue: 21)
    /// `SQLITE_RANGE`: a parameter index out of range.
    public static let range = SQLiteResultCode(rawValue: 25)
    /// `SQLITE_NOTADB`: the file is not an SQLite database.
    public static let notADatabase = SQLiteResultCode(rawValue: 26)

    /// `SQLITE_CONSTRAINT_CHECK`.
    public static let constraintCheck = SQLiteResultCode(rawValue: 19 | (1 << 8))
    /// `SQLITE_CONSTRAINT_FOREIGNKEY`.
    public static let constraintForeignKey = SQLiteResultCode(rawValue: 19 | (3 << 8))
    /// `SQLITE_CONSTRAINT_NOTNULL`.
    public static let constraintNotNull = SQLiteResultCode(rawValue: 19 | (5 << 8))
    /// `SQLITE_CONSTRAINT_PRIMARYKEY`.
    public static let constraintPrimaryKey = SQLiteResultCode(rawValue: 19 | (6 << 8))
    /// `SQLITE_CONSTRAINT_TRIGGER`.
    public static let constraintTrigger = SQLiteResultCode(rawValue: 19 | (7 << 8))
    /// `SQLITE_CONSTRAINT_UNIQUE`.
    public static let constraintUnique = SQLiteResultCode(rawValue: 19 | (8 << 8))
    /// `SQLITE_CONSTRAINT_ROWID`.
    public static let constraintRowID = SQLiteResultCode(rawValue: 19 | (10 << 8))
    /// `SQLITE_BUSY_SNAPSHOT`: a read transaction's snapshot is too old to be upgraded to a write.
    public static let busySnapshot = SQLiteResultCode(rawValue: 5 | (2 << 8))

    /// The symbolic name where one is known, else the number.
    public var description: String {
        switch self {
        case .constraintUnique: "SQLITE_CONSTRAINT_UNIQUE"
        case .constraintPrimaryKey: "SQLITE_CONSTRAINT_PRIMARYKEY"
        case .constraintForeignKey: "SQLITE_CONSTRAINT_FOREIGNKEY"
        case .constraintNotNull: "SQLITE_CONSTRAINT_NOTNULL"
        case .constraintCheck: "SQLITE_CONSTRAINT_CHECK"
        case .constraintTrigger: "SQLITE_CONSTRAINT_TRIGGER"
        case .constraintRowID: "SQLITE_CONSTRAINT_ROWID"
        case .constraint: "SQLITE_CONSTRAINT"
        case .busy: "SQLITE_BUSY"
        case .busySnapshot: "SQLITE_BUSY_SNAPSHOT"
        case .locked: "SQLITE_LOCKED"
        case .error: "SQLITE_ERROR"
        case .readOnly: "SQLITE_READONLY"
        case .corrupt: "SQLITE_CORRUPT"
        case .notADatabase: "SQLITE_NOTADB"
        case .cannotOpen: "SQLITE_CANTOPEN"
        case .ioError: "SQLITE_IOERR"
        case .full: "SQLITE_FULL"
        case .misuse: "SQLITE_MISUSE"
        case .range: "SQLITE_RANGE"
        default: "SQLite result code \(rawValue)"
        }
    }
}
