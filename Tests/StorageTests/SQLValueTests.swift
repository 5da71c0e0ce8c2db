import Foundation
import Storage
import TestSupport
import Testing

@Suite struct SQLValueTests {
    static let values: [SQLValue] = [
        .null,
        .integer(0),
        .integer(1),
        .integer(-1),
        .integer(Int64.max),
        .integer(Int64.min),
        .real(0),
        .real(-2.5),
        .real(Double.greatestFiniteMagnitude),
        .real(Double.leastNonzeroMagnitude),
        .real(.infinity),
        .text(""),
        .text("plain"),
        .text("naïve café — 日本語 🛒"),
        .text("before\u{0}after"),
        .text("\u{0}"),
        .blob(Data()),
        .blob(Data([0, 1, 2, 0, 255])),
        .blob(Data(repeating: 0x5A, count: 1 << 20)),
    ]

    @Test(arguments: [false, true])
    func everyValueRoundTripsWithItsStorageClass(onFile: Bool) throws {
        let directory = try TemporaryDirectory()
        let db = onFile ? try Database(path: directory.path("values.sqlite")) : try Database.inMemory()
        try db.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)") }
        for (index, value) in Self.values.enumerated() {
            try db.write { try $0.execute("INSERT INTO t (id, v) VALUES (?, ?)", [index, value]) }
        }
        let rows = try db.read { try $0.query("SELECT v, typeof(v) AS type, length(CAST(v AS BLOB)) AS bytes FROM t ORDER BY id") }
        #expect(rows.count == Self.values.count)
        for (row, expected) in zip(rows, Self.values) {
            #expect(row.values[0] == expected)
            let type: String = try row["type"]
            #expect(type.uppercased() == expected.typeName)
        }
        // SQLite itself counts the bytes: NUL characters were bound with the text, not cut at the first one.
        let nulText = rows[14]
        #expect(try nulText["bytes"] as Int == 12)
    }

    @Test func namedAndPositionalArgumentsBind() throws {
        let db = try Database.inMemory()
        try db.write { conn in
            try conn.execute("CREATE TABLE t (a, b)")
            try conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", [1, "one"])
            try conn.execute("INSERT INTO t (a, b) VALUES (:a, :b)", ["a": 2, "b": "two"])
            try conn.execute("INSERT INTO t (a, b) VALUES (@a, $b)", ["@a": 3, "b": nil])
        }
        let rows = try db.read { try $0.query("SELECT a, b FROM t ORDER BY a") }
        #expect(rows.map(\.values) == [[1, "one"], [2, "two"], [3, .null]])
    }

    @Test func typedAccessConvertsOrExplains() throws {
        let db = try Database.inMemory()
        let row = try #require(try db.read { try $0.queryFirst("SELECT 42 AS n, 'text' AS s, NULL AS missing, 1.5 AS r") })
        #expect(try row["n"] as Int == 42)
        #expect(try row["N"] as Int64 == 42)
        #expect(try row["n"] as Double == 42)
        #expect(try row["missing"] as String? == nil)
        #expect(try row["s"] as String? == "text")
        #expect(try row[3] as Double == 1.5)

        let absent = #expect(throws: StorageError.self) { try row["nope"] as Int }
        #expect(absent?.kind == .columnNotFound)
        #expect(absent?.message.contains("nope") == true)
        let wrongType = #expect(throws: StorageError.self) { try row["s"] as Int }
        #expect(wrongType?.kind == .typeMismatch)
        #expect(wrongType?.message.contains("'s' holds TEXT") == true)
        let nullToValue = #expect(throws: StorageError.self) { try row["missing"] as String }
        #expect(nullToValue?.kind == .typeMismatch)
        let lossyReal = #expect(throws: StorageError.self) { try row["r"] as Int }
        #expect(lossyReal?.kind == .typeMismatch)
        let outOfRange = #expect(throws: StorageError.self) { try row[9] as Int }
        #expect(outOfRange?.kind == .columnNotFound)
    }

    @Test func rowDecodableMapsRows() throws {
        struct Item: RowDecodable, Equatable {
            let id: Int64
            let name: String
            let note: String?
            init(id: Int64, name: String, note: String?) {
                self.id = id
                self.name = name
                self.note = note
            }
            init(row: Row) throws {
                id = try row["id"]
                name = try row["name"]
                note = try row["note"]
            }
        }
        let db = try Database.inMemory()
        try db.write { conn in
            try conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)")
            try conn.execute("INSERT INTO item (name, note) VALUES ('lamp', NULL), ('desk', 'oak')")
        }
        let items = try db.read { try $0.fetchAll(Item.self, "SELECT * FROM item ORDER BY id") }
        #expect(items == [Item(id: 1, name: "lamp", note: nil), Item(id: 2, name: "desk", note: "oak")])
        let none = try db.read { try $0.fetchOne(Item.self, "SELECT * FROM item WHERE id = ?", [99]) }
        #expect(none == nil)
    }

    @Test func badArgumentsAreClearErrors() throws {
        let db = try Database.inMemory()
        try db.write { try $0.execute("CREATE TABLE t (a, b)") }
        let tooFew = #expect(throws: StorageError.self) {
            try db.write { try $0.execute("INSERT INTO t (a, b) VALUES (?, ?)", [1]) }
        }
        #expect(tooFew?.kind == .invalidArguments)
        #expect(tooFew?.message.contains("2 parameters but 1") == true)
        let wrongName = #expect(throws: StorageError.self) {
            try db.write { try $0.execute("INSERT INTO t (a, b) VALUES (:a, :b)", ["a": 1, "c": 2]) }
        }
        #expect(wrongName?.kind == .invalidArguments)
        let twoStatements = #expect(throws: StorageError.self) {
            try db.write { try $0.execute("INSERT INTO t (a) VALUES (1); DROP TABLE t") }
        }
        #expect(twoStatements?.kind == .invalidArguments)
        let syntax = #expect(throws: StorageError.self) { try db.read { try $0.query("SELEC 1") } }
        #expect(syntax?.resultCode == .error)
        #expect(syntax?.sql == "SELEC 1")
        // Nothing half-done: the failed statements left the table empty.
        #expect(try db.read { try $0.scalar(Int.self, "SELECT count(*) FROM t") } == 0)
    }
}
