import Foundation
import Storage
import TestSupport
import Testing

@Suite struct CrashSafetyTests {
    /// A child writes numbered transactions and is killed with SIGKILL at a random point. Reopened, the database
    /// must pass integrity_check and hold exactly a prefix 1...k of the stream, with k at least the last number the
    /// child reported as committed: no torn transaction, no lost commit.
    @Test(arguments: [Database.Configuration.Synchronous.normal, .full])
    func killedWriterLeavesAnIntactPrefix(synchronous: Database.Configuration.Synchronous) async throws {
        var generator = SystemRandomNumberGenerator()
        let directory = try TemporaryDirectory()
        let path = directory.path("stream.sqlite")
        let mode = synchronous == .full ? "full" : "normal"
        var lastReported = 0
        for round in 1...4 {
            let child = try await ChildProcess(arguments: ["storage-stream", path, mode])
            try await child.waitForLine(within: .seconds(30), description: "ready") { $0 == "ready" }
            // Kill after a random number of further commits, at a random moment between two progress lines.
            let target = lastReported + Int.random(in: 25...1_500, using: &generator) / 25 * 25
            let line = try await child.waitForLine(within: .seconds(60), description: "committed \(target)") {
                guard $0.hasPrefix("committed "), let n = Int($0.dropFirst("committed ".count)) else { return false }
                return n >= target
            }
            lastReported = Int(line.dropFirst("committed ".count))!
            usleep(UInt32.random(in: 0...3_000, using: &generator))
            child.killHard()

            let db = try Database(path: path)
            #expect(try db.integrityCheck() == [], "round \(round)")
            let summary = try #require(
                try await db.read { try $0.queryFirst("SELECT count(*) AS rows, min(n) AS first, max(n) AS last FROM stream") }
            )
            let rows: Int = try summary["rows"]
            let first: Int = try summary["first"]
            let last: Int = try summary["last"]
            let meta = try await db.read { try $0.scalar(Int.self, "SELECT last FROM meta") }
            #expect(first == 1, "round \(round)")
            #expect(rows == last, "round \(round): the stream has a gap")
            #expect(meta == last, "round \(round): meta and stream disagree, a transaction was torn")
            #expect(last >= lastReported, "round \(round): lost commits after \(last), \(lastReported) were reported")
            lastReported = last
            db.close()
        }
    }
}
