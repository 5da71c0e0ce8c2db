import Foundation
import Storage
import TestSupport
import Testing

@Suite struct StorageErrorTests {
    private func makeDatabase() throws -> Database {
        let db = try Database.inMemory()
        try db.write { conn in
            try conn.executeScript(
                """
                CREATE TABLE category (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE product (
                    id INTEGER PRIMARY KEY,
                    category INTEGER NOT NULL REFERENCES category(id),
                    price INTEGER NOT NULL CHECK (price >= 0)
                );
                INSERT INTO category (id, name) VALUES (1, 'lamps');
                """
            )
        }
        return db
    }

    @Test(arguments: [
        ("INSERT INTO category (id, name) VALUES (2, 'lamps')", SQLiteResultCode.constraintUnique),
        ("INSERT INTO category (id, name) VALUES (1, 'desks')", .constraintPrimaryKey),
        ("INSERT INTO category (id, name) VALUES (3, NULL)", .constraintNotNull),
        ("INSERT INTO product (id, category, price) VALUES (1, 99, 10)", .constraintForeignKey),
        ("INSERT INTO product (id, category, price) VALUES (1, 1, -5)", .constraintCheck),
    ])
    func constraintViolationCarriesItsExtendedCode(sql: String, code: SQLiteResultCode) throws {
        let db = try makeDatabase()
        let error = #expect(throws: StorageError.self) { try db.write { try $0.execute(sql) } }
        #expect(error?.kind == .sqlite)
        #expect(error?.resultCode == code)
        #expect(error?.isConstraintViolation == true)
        #expect(error?.sql == sql)
        #expect(error?.message.isEmpty == false)
    }

    @Test func boundValuesNeverAppearInErrors() throws {
        let db = try makeDatabase()
        let secret = "hunter2-secret-value"
        let error = #expect(throws: StorageError.self) {
            try db.write { try $0.execute("INSERT INTO category (id, name) VALUES (?, ?)", [1, secret]) }
        }
        #expect(error?.resultCode == .constraintPrimaryKey)
        #expect(error.map { "\($0)" }?.contains(secret) == false)
        #expect(error?.description.contains("INSERT INTO category") == true)
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StorageError.self) { try Database(path: path) }
        #expect(error?.resultCode == .notADatabase)
        // The file was not touched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(repeating: 0x41, count: 8192))
    }

    @Test func aMissingDirectoryIsAClearError() throws {
        let error = #expect(throws: StorageError.self) {
            try Database(path: "/nonexistent-emporium-dir/sub/db.sqlite")
        }
        #expect(error?.resultCode?.primary == .cannotOpen)
        #expect(error?.message.contains("/nonexistent-emporium-dir/sub/db.sqlite") == true)
    }
}
