import Storage

/// Customers' tables, in its own database file.
///
/// Everything about a person is keyed by their customer id, so erasure is a delete per table (`profile`,
/// `membership`, `address`, `notification` with its `mail`, `order_customer`); the database zeroes deleted content
/// (`secure_delete`). `erased_customer` keeps only the ids of erased customers, so an event that arrives after the
/// erasure (a subscription cancelled because the account went) creates nothing again.
///
/// `mail` is the spool's ledger: one row per notification mailed, the file it is written to under
/// `mail/new/`, and `written_us` once the file is in place; a row without it is written by the next pass, so a
/// crash between the commit and the file loses no mail. `mail_removal` lists spool files an erasure must delete
/// (by notification id only), kept until they are gone, so a crash right after the erasure's commit leaves no
/// file behind.
enum CustomersSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "customers-1-profiles-addresses-notifications",
            sql: """
                CREATE TABLE profile (
                    customer_id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    phone TEXT,
                    marketing_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (marketing_opt_in IN (0, 1)),
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE membership (
                    customer_id TEXT PRIMARY KEY NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('none', 'active', 'past_due', 'lapsed', 'canceled')),
                    plan TEXT,
                    since_us INTEGER,
                    updated_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE address (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    line1 TEXT NOT NULL,
                    line2 TEXT,
                    city TEXT NOT NULL,
                    postal_code TEXT NOT NULL,
                    country TEXT NOT NULL,
                    phone TEXT,
                    is_default INTEGER NOT NULL CHECK (is_default IN (0, 1)),
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL
                );
                CREATE INDEX address_customer ON address (customer_id, seq);
                -- At most one default per customer.
                CREATE UNIQUE INDEX address_default ON address (customer_id) WHERE is_default = 1;
                CREATE TABLE notification (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    category TEXT NOT NULL CHECK (category IN ('transactional', 'marketing')),
                    topic TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_us INTEGER NOT NULL
                );
                CREATE INDEX notification_customer ON notification (customer_id, seq);
                CREATE TABLE mail (
                    notification_id TEXT PRIMARY KEY NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
                    customer_id TEXT NOT NULL,
                    file TEXT NOT NULL,
                    written_us INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX mail_customer ON mail (customer_id);
                CREATE INDEX mail_unwritten ON mail (notification_id) WHERE written_us IS NULL;
                CREATE TABLE mail_removal (
                    file TEXT PRIMARY KEY NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE order_customer (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    recorded_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX order_customer_customer ON order_customer (customer_id);
                CREATE TABLE erased_customer (
                    customer_id TEXT PRIMARY KEY NOT NULL,
                    erased_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                """
        )
        return migrator
    }
}
