import Foundation
import Storage
import TestSupport
import Testing

@Suite struct MigratorTests {
    static func version1() -> Migrator {
        var migrator = Migrator()
        migrator.add("1-create-item", sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        migrator.add("2-item-price", sql: "ALTER TABLE item ADD COLUMN price INTEGER NOT NULL DEFAULT 0")
        return migrator
    }

    static func version2() -> Migrator {
        var migrator = version1()
        migrator.add("3-backfill-names") { conn in
            try conn.execute("UPDATE item SET name = upper(name)")
        }
        return migrator
    }

    @Test func migrationsApplyOnceAcrossReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("m.sqlite")
        do {
            let db = try Database(path: path)
            #expect(try Self.version1().migrate(db) == ["1-create-item", "2-item-price"])
            try db.write { try $0.execute("INSERT INTO item (name, price) VALUES ('lamp', 1999)") }
        }
        do {
            let db = try Database(path: path)
            #expect(try Self.version1().migrate(db) == [])
            #expect(try Self.version2().migrate(db) == ["3-backfill-names"])
            #expect(try Self.version2().migrate(db) == [])
            #expect(try Self.version2().appliedMigrationIDs(in: db) == ["1-create-item", "2-item-price", "3-backfill-names"])
            #expect(try db.read { try $0.scalar(String.self, "SELECT name FROM item") } == "LAMP")
        }
    }

    @Test func aDatabaseFromANewerBuildIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("m.sqlite")
        try Self.version2().migrate(try Database(path: path))
        let db = try Database(path: path)
        let error = #expect(throws: StorageError.self) { try Self.version1().migrate(db) }
        #expect(error?.kind == .unknownMigrations)
        #expect(error?.message.contains("3-backfill-names") == true)
        #expect(error?.message.contains("newer build") == true)
    }

    @Test func anEditedMigrationIsRefused() throws {
        let db = try Database.inMemory()
        try Self.version1().migrate(db)
        var edited = Migrator()
        edited.add("1-create-item", sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
        edited.add("2-item-price", sql: "ALTER TABLE item ADD COLUMN price INTEGER NOT NULL DEFAULT 0")
        let error = #expect(throws: StorageError.self) { try edited.migrate(db) }
        #expect(error?.kind == .migrationHistoryConflict)
        #expect(error?.message.contains("1-create-item") == true)
    }

    @Test func aMigrationInsertedBeforeAnAppliedOneIsRefused() throws {
        let db = try Database.inMemory()
        try Self.version1().migrate(db)
        var reordered = Migrator()
        reordered.add("1-create-item", sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        reordered.add("1b-sneaked-in", sql: "CREATE TABLE extra (id INTEGER PRIMARY KEY)")
        reordered.add("2-item-price", sql: "ALTER TABLE item ADD COLUMN price INTEGER NOT NULL DEFAULT 0")
        let error = #expect(throws: StorageError.self) { try reordered.migrate(db) }
        #expect(error?.kind == .migrationHistoryConflict)
        #expect(error?.message.contains("1b-sneaked-in") == true)
        #expect(try db.read { try $0.queryFirst("SELECT 1 FROM sqlite_master WHERE name = 'extra'") } == nil)
    }

    @Test func aFailingMigrationIsRolledBackWithItsRecord() throws {
        let db = try Database.inMemory()
        var migrator = Self.version1()
        migrator.add(
            "3-broken",
            sql: """
                CREATE TABLE half (id INTEGER PRIMARY KEY);
                INSERT INTO missing_table VALUES (1);
                """
        )
        let error = #expect(throws: StorageError.self) { try migrator.migrate(db) }
        #expect(error?.sql?.contains("missing_table") == true)
        #expect(try migrator.appliedMigrationIDs(in: db) == ["1-create-item", "2-item-price"])
        #expect(try db.read { try $0.queryFirst("SELECT 1 FROM sqlite_master WHERE name = 'half'") } == nil)
    }
}
