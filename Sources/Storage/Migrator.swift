/// Brings a database's schema up to date with an ordered, append-only list of migrations.
///
/// Each migration has a stable string id. Applied ids are recorded in `schema_migrations`, each together with
/// its migration in one `BEGIN IMMEDIATE` transaction, so a crash leaves a migration either fully applied and
/// recorded or not at all. Migrations are never edited once shipped: add a new one instead.
///
/// ```swift
/// var migrator = Migrator()
/// migrator.add("1-create-product", sql: "CREATE TABLE product(id TEXT PRIMARY KEY, name TEXT NOT NULL)")
/// migrator.add("2-product-price", sql: "ALTER TABLE product ADD COLUMN price INTEGER NOT NULL DEFAULT 0")
/// try migrator.migrate(db)
/// ```
///
/// Migrations belong to a track (``Migration/track``): a module's own schema is one, the messaging tables it
/// shares with every module another, so the platform can append to its track without inserting a migration
/// before ones a module already applied. Order is checked within each track.
///
/// Opening a database this build cannot safely run on fails with a clear ``StorageError`` and changes nothing:
/// it holds migrations this build does not know (``StorageError/Kind/unknownMigrations``: written by a newer
/// build), or its history disagrees with this build's list (``StorageError/Kind/migrationHistoryConflict``: a
/// shipped migration was edited, or one was inserted before an applied one).
public struct Migrator: Sendable {
    /// One schema change.
    public struct Migration: Sendable {
        enum Body: Sendable {
            case sql(String)
            case code(@Sendable (Connection) throws -> Void)
        }

        /// The stable identifier recorded in `schema_migrations`.
        public let id: String
        /// The series it belongs to; append-only order holds within a track.
        public let track: String
        let body: Body

        /// A fingerprint of the SQL text, to notice a shipped migration being edited; `nil` for code migrations.
        var checksum: String? {
            guard case .sql(let sql) = body else { return nil }
            // FNV-1a: a change detector, not a security measure.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in sql.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            let hex = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
    }

    /// The migrations in the order they apply.
    public private(set) var migrations: [Migration] = []

    /// Creates an empty migrator.
    public init() {}

    /// Appends a migration written as SQL (several statements allowed).
    /// - Parameters:
    ///   - id: The stable identifier.
    ///   - track: The series it belongs to; a module's own migrations use the default.
    ///   - sql: The statements.
    /// - Precondition: `id` is not already registered.
    public mutating func add(_ id: String, track: String = "main", sql: String) {
        append(Migration(id: id, track: track, body: .sql(sql)))
    }

    /// Appends a migration written in Swift, for data rewrites that SQL alone cannot express.
    /// - Precondition: `id` is not already registered.
    public mutating func add(_ id: String, track: String = "main", _ migrate: @escaping @Sendable (Connection) throws -> Void) {
        append(Migration(id: id, track: track, body: .code(migrate)))
    }

    /// Appends every migration of `other`, in its order.
    /// - Precondition: no id of `other` is already registered.
    public mutating func append(contentsOf other: Migrator) {
        for migration in other.migrations { append(migration) }
    }

    private mutating func append(_ migration: Migration) {
        precondition(!migrations.contains { $0.id == migration.id }, "migration '\(migration.id)' is registered twice")
        migrations.append(migration)
    }

    /// Applies the migrations the database lacks, in order, and returns their ids.
    /// - Throws: ``StorageError`` when the database's history does not fit this build (nothing is applied then),
    ///   or when a migration fails (it is rolled back, earlier ones stay applied).
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        try database.write { connection in
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    id TEXT PRIMARY KEY NOT NULL,
                    checksum TEXT,
                    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                )
                """
            )
        }
        let applied = try appliedMigrations(in: database)
        try validate(applied: applied, path: database.path)
        let appliedIDs = Set(applied.map(\.id))
        var newlyApplied: [String] = []
        for migration in migrations where !appliedIDs.contains(migration.id) {
            let didApply = try database.write { connection -> Bool in
                // Another process may have applied it since the history was read.
                let present = try connection.queryFirst("SELECT 1 FROM schema_migrations WHERE id = ?", [migration.id]) != nil
                guard !present else { return false }
                switch migration.body {
                case .sql(let sql): try connection.executeScript(sql)
                case .code(let body): try body(connection)
                }
                try connection.execute(
                    "INSERT INTO schema_migrations(id, checksum) VALUES (?, ?)",
                    [migration.id, migration.checksum]
                )
                return true
            }
            if didApply { newlyApplied.append(migration.id) }
        }
        return newlyApplied
    }

    /// The ids of the migrations recorded in the database, in the order they were applied.
    /// - Throws: ``StorageError``.
    public func appliedMigrationIDs(in database: Database) throws -> [String] {
        try appliedMigrations(in: database).map(\.id)
    }

    private struct AppliedMigration: RowDecodable {
        let id: String
        let checksum: String?
        init(row: Row) throws {
            id = try row["id"]
            checksum = try row["checksum"]
        }
    }

    private func appliedMigrations(in database: Database) throws -> [AppliedMigration] {
        try database.read { connection in
            let exists = try connection.queryFirst(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            )
            guard exists != nil else { return [] }
            return try connection.fetchAll(AppliedMigration.self, "SELECT id, checksum FROM schema_migrations ORDER BY rowid")
        }
    }

    private func validate(applied: [AppliedMigration], path: String) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.enumerated().map { ($1.id, $0) })
        let unknown = applied.map(\.id).filter { known[$0] == nil }
        guard unknown.isEmpty else {
            throw StorageError(
                kind: .unknownMigrations,
                message: "\(path) was migrated by a newer build: it holds migrations this build does not know "
                    + "(\(unknown.joined(separator: ", "))). Run a build at least as new, or restore a backup."
            )
        }
        for record in applied {
            let migration = migrations[known[record.id]!]
            if let expected = migration.checksum, let stored = record.checksum, expected != stored {
                throw StorageError(
                    kind: .migrationHistoryConflict,
                    message: "migration '\(record.id)' in \(path) differs from the one this build ships; "
                        + "shipped migrations must not be edited: add a new migration instead"
                )
            }
        }
        let appliedIDs = Set(applied.map(\.id))
        for track in Set(migrations.map(\.track)).sorted() {
            let series = migrations.filter { $0.track == track }
            if let lastApplied = series.lastIndex(where: { appliedIDs.contains($0.id) }),
                let gap = series[..<lastApplied].first(where: { !appliedIDs.contains($0.id) })
            {
                throw StorageError(
                    kind: .migrationHistoryConflict,
                    message: "migration '\(gap.id)' comes before '\(series[lastApplied].id)', which \(path) "
                        + "already has; migrations are append-only: add new ones at the end"
                )
            }
        }
    }
}
