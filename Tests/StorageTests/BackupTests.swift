import Foundation
import Storage
import TestSupport
import Testing

@Suite struct BackupTests {
    @Test func backupIsACompleteConsistentCopyWhileWritesGoOn() async throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.path("live.sqlite"))
        try await db.write { conn in
            try conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, payload BLOB)")
            for n in 1...2_000 {
                try conn.execute("INSERT INTO t (n, payload) VALUES (?, ?)", [n, Data(repeating: UInt8(n % 256), count: 512)])
            }
        }
        let writer = Task {
            for n in 2_001...2_400 {
                try await db.write { try $0.execute("INSERT INTO t (n, payload) VALUES (?, ?)", [n, Data([1])]) }
            }
        }
        let target = directory.path("copy.sqlite")
        try db.backup(to: target)
        try await writer.value

        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))
        let copy = try Database(path: target)
        #expect(try copy.integrityCheck() == [])
        let count = try await copy.read { try $0.scalar(Int.self, "SELECT count(*) FROM t") }
        let maximum = try await copy.read { try $0.scalar(Int.self, "SELECT max(n) FROM t") }
        // A snapshot: rows 1...k with no gap, for some k between the setup and the end of the concurrent writes.
        #expect(count == maximum)
        #expect((2_000...2_400).contains(count ?? 0))
    }

    @Test func backupOfAnInMemoryDatabase() throws {
        let directory = try TemporaryDirectory()
        let db = try Database.inMemory()
        try db.write { try $0.executeScript("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept');") }
        try db.backup(to: directory.path("mem.sqlite"))
        let copy = try Database(path: directory.path("mem.sqlite"))
        #expect(try copy.read { try $0.scalar(String.self, "SELECT v FROM t") } == "kept")
    }

    @Test func integrityCheckReportsCorruption() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("damaged.sqlite")
        do {
            let db = try Database(path: path)
            try db.write { conn in
                try conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT)")
                try conn.execute("CREATE INDEX t_s ON t (s)")
                for n in 1...3_000 { try conn.execute("INSERT INTO t (n, s) VALUES (?, ?)", [n, "value \(n)"]) }
            }
            #expect(try db.integrityCheck() == [])
            db.close()
        }
        // Overwrite the middle of the file, past the schema page: the index and table no longer agree.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        handle.write(Data(repeating: 0xFF, count: 8192))
        try handle.close()

        let db = try Database(path: path)
        let problems: [String]
        do {
            problems = try db.integrityCheck()
        } catch let error as StorageError {
            problems = [error.description]
            #expect(error.resultCode?.primary == .corrupt)
        }
        #expect(!problems.isEmpty)
    }
}
