import Foundation
import Storage
import TestSupport
import Testing

/// Deleted data is gone from the bytes on disk, not merely unlinked.
@Suite struct ErasureTests {
    @Test func aDeletedRowLeavesNoTraceInTheFileOrItsLogOnceTheLogIsTruncated() async throws {
        let directory = try TemporaryDirectory()
        let secret = "erase-me-\(UUID().uuidString)"
        let database = try Database(path: directory.path("people.sqlite"))
        try await database.write { try $0.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)") }
        try await database.write { connection in
            for number in 0..<200 { try connection.execute("INSERT INTO person (email) VALUES (?)", ["someone-\(number)@example.com"]) }
            try connection.execute("INSERT INTO person (email) VALUES (?)", [secret])
        }
        #expect(try await database.truncateLog())
        #expect(try Self.filesHolding(secret, in: directory) == ["people.sqlite"])
        try await database.write { try $0.execute("DELETE FROM person WHERE email = ?", [secret]) }
        // Before truncation the log may still hold the page as it was; afterwards nothing does.
        #expect(try await database.truncateLog())
        #expect(try Self.filesHolding(secret, in: directory).isEmpty)
        #expect(try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM person") } == 200)
        #expect(try database.integrityCheck().isEmpty)
    }

    @Test func truncatingWaitsForNoReaderAndSaysWhenOneHeldAnOldSnapshot() async throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path("a.sqlite"), configuration: Database.Configuration(busyTimeout: .milliseconds(50)))
        try await database.write { try $0.execute("CREATE TABLE t (n INTEGER)") }
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        // A reader on a thread of its own keeps its snapshot open until released.
        DispatchQueue.global().async {
            _ = try? database.read { connection in
                _ = try connection.scalar(Int.self, "SELECT count(*) FROM t")
                holding.signal()
                release.wait()
            }
            finished.signal()
        }
        #expect(holding.wait(timeout: .now() + 10) == .success)
        try await database.write { try $0.execute("INSERT INTO t VALUES (1)") }
        #expect(try await database.truncateLog() == false)
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(try await database.truncateLog())
    }
}

extension ErasureTests {
    static func filesHolding(_ text: String, in directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted().filter { name in
            try Data(contentsOf: directory.url.appendingPathComponent(name)).range(of: Data(text.utf8)) != nil
        }
    }
}
