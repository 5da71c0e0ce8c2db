internal import CSQLite
import Foundation

extension Database {
    /// Copies a consistent snapshot of the database to `destination` with SQLite's online backup API.
    ///
    /// Writers keep working while the copy runs (the source is read through a reader connection's snapshot).
    /// The copy is written to a temporary file beside `destination` and renamed into place only when complete,
    /// so `destination` is never a half-written database.
    /// - Throws: ``StorageError`` when the destination cannot be written or the copy fails.
    public func backup(to destination: String) throws {
        let partial = destination + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try withSnapshotConnection { source in
            var target: OpaquePointer?
            let openCode = sqlite3_open_v2(partial, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
            defer { sqlite3_close_v2(target) }
            guard openCode == SQLITE_OK, let target else {
                throw StorageError(
                    kind: .sqlite,
                    resultCode: SQLiteResultCode(rawValue: openCode),
                    message: "cannot create backup file \(partial): \(String(cString: sqlite3_errstr(openCode)))"
                )
            }
            guard let backup = sqlite3_backup_init(target, "main", source.handle, "main") else {
                throw StorageError(
                    kind: .sqlite,
                    resultCode: SQLiteResultCode(rawValue: sqlite3_extended_errcode(target)),
                    message: "cannot start backup to \(partial): \(String(cString: sqlite3_errmsg(target)))"
                )
            }
            let stepCode = sqlite3_backup_step(backup, -1)
            let finishCode = sqlite3_backup_finish(backup)
            guard stepCode == SQLITE_DONE, finishCode == SQLITE_OK else {
                let code = stepCode == SQLITE_DONE ? finishCode : stepCode
                throw StorageError(
                    kind: .sqlite,
                    resultCode: SQLiteResultCode(rawValue: code),
                    message: "backup to \(partial) failed: \(String(cString: sqlite3_errstr(code)))"
                )
            }
        }
        guard rename(partial, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw StorageError(kind: .sqlite, resultCode: .cannotOpen, message: "cannot move backup into place at \(destination): \(reason)")
        }
    }

    /// Runs `PRAGMA integrity_check` and returns the problems it reports; an empty list means the file is sound.
    /// - Throws: ``StorageError`` when the check cannot run (for example, the file is not a database).
    public func integrityCheck() throws -> [String] {
        let messages = try withSnapshotConnection { connection in
            try connection.query("PRAGMA integrity_check").map { try $0[0] as String }
        }
        return messages == ["ok"] ? [] : messages
    }
}
