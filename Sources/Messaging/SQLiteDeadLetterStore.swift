import Foundation
public import Storage

/// A consumer group's dead letters in its own module's database (the `dead_letters` table of ``MessagingSchema``).
public struct SQLiteDeadLetterStore: DeadLetterStore {
    /// The module's database.
    public let database: Database

    /// Creates the store over a module's database.
    public init(database: Database) {
        self.database = database
    }

    /// Stores a dead letter, replacing an earlier one of the same event and group.
    public func record(_ letter: DeadLetter) async throws {
        let envelope = try letter.envelope.jsonData()
        try await database.write { connection in
            try connection.execute(
                """
                INSERT INTO dead_letters (consumer, event_id, envelope, error, attempts, failed_at_us) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (consumer, event_id) DO UPDATE SET
                    envelope = excluded.envelope, error = excluded.error,
                    attempts = excluded.attempts, failed_at_us = excluded.failed_at_us
                """,
                [letter.group, letter.envelope.id, envelope, letter.error, letter.attempts, Outbox.microseconds(letter.failedAt)]
            )
        }
    }

    /// The stored dead letters, oldest failure first.
    public func list(limit: Int) async throws -> [DeadLetter] {
        try await database.read { connection in
            try connection.query(
                "SELECT consumer, envelope, error, attempts, failed_at_us FROM dead_letters ORDER BY failed_at_us, rowid LIMIT ?",
                [limit]
            ).map(Self.letter)
        }
    }

    /// Removes and returns one dead letter.
    public func take(eventID: String, group: String) async throws -> DeadLetter? {
        try await database.write { connection in
            let row = try connection.queryFirst(
                "SELECT consumer, envelope, error, attempts, failed_at_us FROM dead_letters WHERE consumer = ? AND event_id = ?",
                [group, eventID]
            )
            guard let row else { return nil }
            try connection.execute("DELETE FROM dead_letters WHERE consumer = ? AND event_id = ?", [group, eventID])
            return try Self.letter(row)
        }
    }

    private static func letter(_ row: Row) throws -> DeadLetter {
        DeadLetter(
            group: try row["consumer"],
            envelope: try Envelope(jsonData: try row["envelope"]),
            error: try row["error"],
            attempts: try row["attempts"],
            failedAt: Outbox.date(microseconds: try row["failed_at_us"])
        )
    }
}
