import Emporium

/// The exit statuses a shell user can rely on; the numbers follow BSD's `sysexits.h` where one fits.
enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    /// A demo step got an unexpected answer; a load run got an unexpected status or the audit a violation; another
    /// failure.
    case failure = 1
    /// Unknown command or flag, a bad flag value, a wrong number of arguments.
    case usage = 64
    /// A database is damaged or not a database.
    case databaseDamaged = 65
    /// The seed catalog is unreadable or malformed; a backup found no databases.
    case inputUnreadable = 66
    /// The port is in use or cannot be bound; `demo`, `audit` or `load` cannot reach `--url`.
    case unavailable = 69
    /// The data directory (or the backup destination) cannot be created or written.
    case cannotWrite = 73
    /// A database was written by a newer build of emporium.
    case databaseTooNew = 76
    /// A configuration value is not usable (a bad environment variable, an unknown service name).
    case invalidConfiguration = 78

    /// What the status means, for `--help` and the operations guide.
    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "a demo step failed; load got an unexpected status or the audit a violation; another error"
        case .usage: "usage: unknown command or flag, bad flag value"
        case .databaseDamaged: "a database is damaged or not a database"
        case .inputUnreadable: "the seed catalog is unreadable or invalid; nothing to back up"
        case .unavailable: "the port is in use or cannot be bound; demo, audit or load cannot reach --url"
        case .cannotWrite: "the data directory or backup destination is not writable"
        case .databaseTooNew: "a database comes from a newer build of emporium"
        case .invalidConfiguration: "invalid configuration (environment variable, service name)"
        }
    }
}

/// An error the CLI reports as `emporium: <message>`, with a hint on the next line, and exits with ``code``.
struct CLIError: Error, Sendable {
    let code: ExitCode
    let message: String
    let hint: String?

    init(_ code: ExitCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// The error for why an ``Emporium`` system could not start, with what to do about it.
    init(_ error: EmporiumError) {
        switch error.kind {
        case .portInUse:
            self.init(.unavailable, error.message, hint: "'--port 0' picks a free port")
        case .cannotListen:
            self.init(.unavailable, error.message, hint: "--host takes a numeric address of this machine, such as 127.0.0.1 or 0.0.0.0")
        case .dataDirectoryNotWritable:
            self.init(.cannotWrite, error.message, hint: "choose another directory with --data (or EMPORIUM_DATA)")
        case .databaseCorrupt:
            self.init(.databaseDamaged, error.message, hint: "restore the module's file from a backup ('emporium help backup')")
        case .databaseTooNew:
            self.init(.databaseTooNew, error.message, hint: "run the newer emporium, or restore a backup made by this one")
        case .seedInvalid:
            self.init(.inputUnreadable, error.message, hint: "pass a readable catalog with --seed FILE, or --no-seed")
        case .invalidConfiguration:
            self.init(.invalidConfiguration, error.message)
        }
    }
}
