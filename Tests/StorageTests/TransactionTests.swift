import Dispatch
import Foundation
import Storage
import TestSupport
import Testing

private struct Boom: Error {}

@Suite struct TransactionTests {
    private func makeDatabase(_ directory: TemporaryDirectory) throws -> Database {
        let db = try Database(path: directory.path("tx.sqlite"))
        try db.write { try $0.execute("CREATE TABLE t (name TEXT PRIMARY KEY)") }
        return db
    }

    private func names(_ db: Database) throws -> [String] {
        try db.read { try $0.query("SELECT name FROM t ORDER BY name").map { try $0["name"] as String } }
    }

    @Test func throwingWriteRollsBack() throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        #expect(throws: Boom.self) {
            try db.write { conn in
                try conn.execute("INSERT INTO t (name) VALUES ('lost')")
                throw Boom()
            }
        }
        #expect(try names(db) == [])
        // The writer is usable again afterwards: the failed transaction did not stay open.
        try db.write { try $0.execute("INSERT INTO t (name) VALUES ('kept')") }
        #expect(try names(db) == ["kept"])
    }

    @Test(arguments: [false, true])
    func nestedWriteIsASavepoint(inMemory: Bool) throws {
        let directory = try TemporaryDirectory()
        let db = inMemory ? try Database.inMemory() : try makeDatabase(directory)
        if inMemory { try db.write { try $0.execute("CREATE TABLE t (name TEXT PRIMARY KEY)") } }
        var innerErrors: [String] = []
        try db.write { conn in
            try conn.execute("INSERT INTO t (name) VALUES ('a')")
            // A nested Database.write on the same thread, failing: only its own insert is undone.
            do {
                try db.write { inner in
                    try inner.execute("INSERT INTO t (name) VALUES ('b')")
                    throw Boom()
                }
            } catch {
                innerErrors.append("\(type(of: error))")
            }
            // The explicit form, succeeding.
            try conn.savepoint { try conn.execute("INSERT INTO t (name) VALUES ('c')") }
            // A savepoint whose statement fails on a constraint: the outer transaction goes on.
            do {
                try conn.savepoint {
                    try conn.execute("INSERT INTO t (name) VALUES ('d')")
                    try conn.execute("INSERT INTO t (name) VALUES ('a')")
                }
            } catch let error as StorageError {
                innerErrors.append("\(error.resultCode ?? .error)")
            }
            try conn.execute("INSERT INTO t (name) VALUES ('e')")
        }
        #expect(innerErrors == ["Boom", "SQLITE_CONSTRAINT_PRIMARYKEY"])
        #expect(try names(db) == ["a", "c", "e"])
    }

    @Test func readerSeesLastCommittedSnapshotDuringWrite() throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        try db.write { try $0.execute("INSERT INTO t (name) VALUES ('committed')") }
        try db.write { conn in
            try conn.execute("INSERT INTO t (name) VALUES ('pending')")
            #expect(try conn.scalar(Int.self, "SELECT count(*) FROM t") == 2)
            // A read while this write transaction is open sees only what was committed.
            #expect(try names(db) == ["committed"])
        }
        #expect(try names(db) == ["committed", "pending"])
    }

    @Test func aReadKeepsItsSnapshotAcrossACommit() throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        try db.write { try $0.execute("INSERT INTO t (name) VALUES ('first')") }
        let (before, after) = try db.read { conn in
            let before = try conn.scalar(Int.self, "SELECT count(*) FROM t")
            try db.write { try $0.execute("INSERT INTO t (name) VALUES ('second')") }
            let after = try conn.scalar(Int.self, "SELECT count(*) FROM t")
            return (before, after)
        }
        #expect(before == 1)
        #expect(after == 1)
        #expect(try names(db).count == 2)
    }

    @Test func readsDoNotWaitForAnOpenWriteTransaction() throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        let writerInside = DispatchSemaphore(value: 0)
        let releaseWriter = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? db.write { conn in
                try conn.execute("INSERT INTO t (name) VALUES ('slow')")
                writerInside.signal()
                _ = releaseWriter.wait(timeout: .now() + 30)
            }
            writerDone.signal()
        }
        #expect(writerInside.wait(timeout: .now() + 10) == .success)
        let readDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? self.names(db)
            readDone.signal()
        }
        // The writer is still holding its transaction open; the read must finish anyway.
        #expect(readDone.wait(timeout: .now() + 10) == .success)
        releaseWriter.signal()
        #expect(writerDone.wait(timeout: .now() + 10) == .success)
        #expect(try names(db) == ["slow"])
    }

    @Test func readsCannotWrite() throws {
        let directory = try TemporaryDirectory()
        for db in [try makeDatabase(directory), try Database.inMemory()] {
            try? db.write { try $0.execute("CREATE TABLE IF NOT EXISTS t (name TEXT PRIMARY KEY)") }
            let error = #expect(throws: StorageError.self) {
                try db.read { try $0.execute("INSERT INTO t (name) VALUES ('sneaky')") }
            }
            #expect(error?.resultCode?.primary == .readOnly)
            // The in-memory database's single connection is writable again after the read.
            try db.write { try $0.execute("INSERT INTO t (name) VALUES ('fine')") }
        }
    }

    @Test func concurrentAsyncWritesAllCommit() async throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await db.write { try $0.execute("INSERT INTO t (name) VALUES (?)", ["n\(index)"]) }
                }
            }
            try await group.waitForAll()
        }
        let count = try await db.read { try $0.scalar(Int.self, "SELECT count(*) FROM t") }
        #expect(count == 200)
    }

    @Test func connectionsAreConfiguredOnOpen() throws {
        let directory = try TemporaryDirectory()
        let normal = try Database(path: directory.path("normal.sqlite"))
        let full = try Database(path: directory.path("full.sqlite"), configuration: .init(synchronous: .full))
        // PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
        #expect(try normal.write { try $0.scalar(Int.self, "PRAGMA synchronous") } == 1)
        #expect(try full.write { try $0.scalar(Int.self, "PRAGMA synchronous") } == 2)
        #expect(try normal.read { try $0.scalar(String.self, "PRAGMA journal_mode") } == "wal")
        #expect(try normal.read { try $0.scalar(Int.self, "PRAGMA foreign_keys") } == 1)
        #expect(try normal.write { try $0.scalar(Int.self, "PRAGMA foreign_keys") } == 1)
        #expect(try normal.write { try $0.scalar(Int.self, "PRAGMA busy_timeout") } == 5000)
    }

    @Test func aBusyTimeoutBelowASecondIsKeptInMilliseconds() throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.path("busy.sqlite"), configuration: .init(busyTimeout: .milliseconds(1500)))
        #expect(try db.write { try $0.scalar(Int.self, "PRAGMA busy_timeout") } == 1500)
        #expect(try db.read { try $0.scalar(Int.self, "PRAGMA busy_timeout") } == 1500)
    }

    @Test func closedDatabaseRefusesWork() throws {
        let directory = try TemporaryDirectory()
        let db = try makeDatabase(directory)
        db.close()
        let writeError = #expect(throws: StorageError.self) { try db.write { _ in } }
        #expect(writeError?.kind == .closed)
        let readError = #expect(throws: StorageError.self) { try db.read { _ in } }
        #expect(readError?.kind == .closed)
    }
}

@Suite struct AfterCommitTests {
    final class Recorder: @unchecked Sendable {
        // Safe: only touched on the test's thread (actions run on the committing thread).
        var events: [String] = []
    }

    @Test func actionsRunAfterCommitOnlyForWorkThatCommitted() throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.path("after.sqlite"))
        let recorder = Recorder()
        try db.write { conn in
            try conn.execute("CREATE TABLE t (v TEXT)")
            conn.afterCommit { recorder.events.append("outer") }
            try? conn.savepoint {
                conn.afterCommit { recorder.events.append("rolled-back savepoint") }
                throw CancellationError()
            }
            try conn.savepoint { conn.afterCommit { recorder.events.append("released savepoint") } }
            // Not yet: the transaction is still open.
            #expect(recorder.events.isEmpty)
        }
        #expect(recorder.events == ["outer", "released savepoint"])
        try? db.write { conn in
            conn.afterCommit { recorder.events.append("rolled-back transaction") }
            throw CancellationError()
        }
        #expect(recorder.events == ["outer", "released savepoint"])
    }
}
