import Storage

/// Identity's tables, in its own database file.
enum IdentitySchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "identity-1-users-sessions",
            sql: """
                CREATE TABLE user (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL UNIQUE,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
                    created_at_us INTEGER NOT NULL
                );
                CREATE TABLE refresh_token (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES user(id),
                    family TEXT NOT NULL,
                    expires_at_us INTEGER NOT NULL,
                    used_at_us INTEGER,
                    revoked_at_us INTEGER
                );
                CREATE INDEX refresh_token_family ON refresh_token (family);
                CREATE TABLE login_failure (
                    key TEXT PRIMARY KEY NOT NULL,
                    failures INTEGER NOT NULL,
                    window_start_us INTEGER NOT NULL
                );
                """
        )
        migrator.add(
            "identity-2-deleted-users",
            sql: """
                CREATE TABLE deleted_user (
                    id TEXT PRIMARY KEY NOT NULL,
                    deleted_at_us INTEGER NOT NULL
                );
                """
        )
        return migrator
    }
}
