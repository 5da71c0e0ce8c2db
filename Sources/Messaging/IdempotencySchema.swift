public import Storage

/// The table a module needs to honour idempotency keys, in its own database: `idempotency_keys`.
///
/// A separate list from ``MessagingSchema``, since only modules with idempotent endpoints need it; the ids are
/// stable and the list is append-only:
///
/// ```swift
/// var migrator = Migrator()
/// MessagingSchema.register(in: &migrator)
/// IdempotencySchema.register(in: &migrator)
/// migrator.add("payments-1-charges", sql: "...")
/// ```
public enum IdempotencySchema {
    /// Appends the idempotency-key migrations to `migrator`.
    public static func register(in migrator: inout Migrator) {
        // One row per (caller, key). `response` is NULL while the first request runs; `lease_id` names that
        // request and `lease_until_us` is when another may take over. `expires_at_us` is indexed for the purge.
        migrator.add(
            "idempotency-1-keys",
            sql: """
                CREATE TABLE idempotency_keys (
                    caller TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash BLOB NOT NULL,
                    response BLOB,
                    lease_id TEXT,
                    lease_until_us INTEGER,
                    created_at_us INTEGER NOT NULL,
                    expires_at_us INTEGER NOT NULL,
                    PRIMARY KEY (caller, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at_us);
                """
        )
    }
}
