import HTTP
import ModuleKit
import Storage

/// Why an ``Emporium`` system could not start, in words a shell user can act on. The CLI maps each kind to
/// its own exit code.
public struct EmporiumError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The address and port are taken by another process.
        case portInUse
        /// The address cannot be bound for another reason (not a local address, no permission).
        case cannotListen
        /// The data directory cannot be created or written.
        case dataDirectoryNotWritable
        /// A module's database file is damaged or not an SQLite database.
        case databaseCorrupt
        /// A module's database was written by a newer build (it has migrations this build does not know).
        case databaseTooNew
        /// A module's first-start data cannot be put in: the seed catalog cannot be read or is malformed, say.
        case seedInvalid
        /// A configuration value is not usable.
        case invalidConfiguration
    }

    /// What went wrong.
    public let kind: Kind
    /// A sentence saying what and where.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The error for a module database that failed to open or migrate.
    static func database(_ module: String, path: String, _ error: any Error) -> EmporiumError {
        if let error = error as? StorageError {
            if error.kind == .unknownMigrations || error.kind == .migrationHistoryConflict {
                return EmporiumError(
                    .databaseTooNew,
                    "\(path): the \(module) database comes from a newer or different build of emporium (\(error.message)); "
                        + "run the build that wrote it, or restore a backup"
                )
            }
            if let code = error.resultCode?.primary, code == .corrupt || code == .notADatabase {
                return EmporiumError(
                    .databaseCorrupt,
                    "\(path): the \(module) database is damaged or not a database (\(error.message)); restore a backup"
                )
            }
            if let code = error.resultCode?.primary, code == .readOnly || code == .cannotOpen || code == .permission {
                return EmporiumError(.dataDirectoryNotWritable, "\(path): cannot write the \(module) database (\(error.message))")
            }
        }
        return EmporiumError(.databaseCorrupt, "\(path): the \(module) database cannot be opened: \(error)")
    }

    /// The error for modules that could not be wired.
    init(_ error: ModuleHostError) {
        switch error.kind {
        case .database(let module, let path):
            self = Self.database(module, path: path, error.underlying ?? error)
        case .seed:
            // A first-start step puts the initial data in (the seed catalog, stock, the first administrator).
            self.init(.seedInvalid, error.description)
        case .settings, .invalidConfiguration, .build:
            self.init(.invalidConfiguration, error.description)
        }
    }

    /// The error for a server that could not bind.
    static func listen(host: String, port: Int, _ error: any Error) -> EmporiumError {
        if let error = error as? SocketError, error.code == 98 {  // EADDRINUSE
            return EmporiumError(.portInUse, "\(host):\(port) is already in use; stop the other process or choose another --port")
        }
        return EmporiumError(.cannotListen, "cannot listen on \(host):\(port): \(error)")
    }
}
