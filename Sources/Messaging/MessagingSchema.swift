public import Storage

/// The tables a module needs for durable messaging, in its own database: `outbox`, `outbox_cursor`, `inbox`,
/// `dead_letters`.
///
/// The outbox has no index besides its sequence: the relay reads forward from the last sequence it delivered,
/// and every secondary index is one more page written per commit on the module's hot path (a unique index on
/// event ids and a partial index on unsent rows together cut a producer's rate from 37k to 21k commits/s).
/// `AUTOINCREMENT` keeps sequence numbers from ever being reused, even after handled rows are pruned.
///
/// `outbox_cursor` holds, per consumer group, the sequence number through which that group has handled the
/// outbox's events: each group moves on alone, so one failing subscriber holds back only itself. (Until
/// `messaging-2`, one `sent_at_us` column per event marked it sent to every group at once.)
///
/// They form their own track (``Storage/Migrator/Migration/track``), so migrations added here later never come
/// before a module's applied ones. A module adds them to its migrator before (or after) its own; ids are stable:
///
/// ```swift
/// var migrator = Migrator()
/// MessagingSchema.register(in: &migrator)
/// migrator.add("catalog-1-products", sql: "...")
/// ```
public enum MessagingSchema {
    /// Appends the messaging migrations to `migrator`.
    public static func register(in migrator: inout Migrator) {
        migrator.add(
            "messaging-1-outbox",
            track: "messaging",
            sql: """
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    source TEXT NOT NULL,
                    subject TEXT,
                    time_us INTEGER NOT NULL,
                    content_type TEXT NOT NULL,
                    data BLOB NOT NULL,
                    traceparent TEXT,
                    correlation_id TEXT,
                    causation_id TEXT,
                    sent_at_us INTEGER
                );
                """
        )
        migrator.add(
            "messaging-1-inbox",
            track: "messaging",
            sql: """
                CREATE TABLE inbox (
                    consumer TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    handled_at_us INTEGER NOT NULL,
                    PRIMARY KEY (consumer, event_id)
                ) WITHOUT ROWID;
                """
        )
        migrator.add(
            "messaging-1-dead-letters",
            track: "messaging",
            sql: """
                CREATE TABLE dead_letters (
                    consumer TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    envelope BLOB NOT NULL,
                    error TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    failed_at_us INTEGER NOT NULL,
                    PRIMARY KEY (consumer, event_id)
                );
                """
        )
        migrator.add(
            "messaging-2-outbox-cursors",
            track: "messaging",
            sql: """
                CREATE TABLE outbox_cursor (
                    consumer TEXT PRIMARY KEY NOT NULL,
                    seq INTEGER NOT NULL,
                    updated_at_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                DELETE FROM outbox WHERE sent_at_us IS NOT NULL;
                ALTER TABLE outbox DROP COLUMN sent_at_us;
                """
        )
    }
}

extension MessagingSchema {
    /// Forgets what the module's messaging tables hold about `subject` (a person being erased), inside the caller's
    /// write transaction: the data of every outbox event about it becomes `{}`, and its dead letters are deleted.
    ///
    /// Events already handled stay only as ids and types; one not yet delivered arrives with `{}` for data, which
    /// its consumers fail to decode and dead-letter, holding nothing about the person. Events enqueued later in the
    /// same transaction (the erasure's own) are untouched.
    /// - Throws: ``StorageError``.
    public static func forget(subject: String, in connection: Connection) throws {
        try connection.execute("UPDATE outbox SET data = CAST('{}' AS BLOB) WHERE subject = ?", [subject])
        try connection.execute("DELETE FROM dead_letters WHERE json_extract(envelope, '$.subject') = ?", [subject])
    }
}
