import CustomersAPI
import Foundation
import Storage
import Telemetry

/// The mail spool's side of notifications: every notification's mail is recorded pending in its transaction and
/// written here after the commit, by the handler that made it and by the background pass, so a crash in between
/// delays a mail and never loses it.
extension SQLiteCustomersService {
    /// One pass of the background spooler: erased customers' files deleted, pending mail written, and what a
    /// crashed writer left in `tmp/` for more than an hour deleted.
    func spoolPass() async {
        do {
            try await removeErasedMail()
        } catch {
            logger.error("erased mail not deleted yet", metadata: ["error": "\(error)"])
        }
        await deliverPendingMail()
        // File times are the system's, whatever clock the service is given.
        spool?.removeStaleTemporaries(olderThan: 3600, now: Date())
    }

    /// The mail not written yet, oldest first, with what its message needs. Read from the partial index of unwritten
    /// rows: left to itself SQLite scanned every notification in `seq` order for the few pending, after every
    /// notification, so a checkout's mail cost grew with the number of notifications ever sent (9 % of the server's
    /// time after some 2,000 orders under `emporium load`).
    package static let pendingMailQuery = """
        SELECT m.notification_id, m.file, n.subject, n.body, n.created_us, p.email, p.display_name
        FROM mail AS m INDEXED BY mail_unwritten
        JOIN notification AS n ON n.id = m.notification_id
        JOIN profile AS p ON p.customer_id = m.customer_id
        WHERE m.written_us IS NULL
        ORDER BY n.seq
        LIMIT 500
        """

    /// Writes every pending mail into the spool, oldest first, and marks it written. A file already in `new/` (a
    /// write whose mark a crash prevented) is only marked; a mail erased while it was being written is deleted
    /// again. Failures are logged and left for the next pass.
    func deliverPendingMail() async {
        guard let spool, spoolsMail else { return }
        do {
            let pending = try await database.read { connection in try connection.query(Self.pendingMailQuery) }
            for row in pending {
                let id: String = try row["notification_id"]
                let file: String = try row["file"]
                let message = MailMessage(
                    from: configuration.mailFrom,
                    toName: try row["display_name"],
                    toAddress: try row["email"],
                    subject: try row["subject"],
                    date: Self.date(microseconds: try row["created_us"]),
                    messageID: "\(id)@\(configuration.messageIDDomain)",
                    body: try row["body"]
                )
                if !spool.contains(file) { try spool.write(message.rendered, as: file) }
                let stamp = Self.microseconds(now())
                let kept = try await database.write { connection in
                    try connection.execute("UPDATE mail SET written_us = ? WHERE notification_id = ? AND written_us IS NULL", [stamp, id])
                    return try connection.queryFirst("SELECT 1 FROM mail WHERE notification_id = ?", [id]) != nil
                }
                if !kept { try spool.remove([file]) }
            }
        } catch {
            logger.error("mail not spooled yet", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes the spool files of erased customers, then forgets that they were to be deleted.
    /// - Throws: ``SpoolError`` or ``Storage/StorageError``; what is left is deleted by the next pass.
    func removeErasedMail() async throws {
        let files = try await database.read { connection in
            try connection.query("SELECT file FROM mail_removal ORDER BY file").map { try $0["file"] as String }
        }
        guard !files.isEmpty else { return }
        try spool?.remove(files)
        try await database.write { connection in
            for file in files { try connection.execute("DELETE FROM mail_removal WHERE file = ?", [file]) }
        }
    }
}
