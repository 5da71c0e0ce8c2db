import Foundation
import Storage
import TestSupport
import Testing

@Suite struct RelayCrashTests {
    /// The relay's process is killed with SIGKILL after the subscriber handled an event but before the relay
    /// saved the group's cursor. After a restart the relay sends it again, and the subscriber's inbox makes the
    /// second delivery change nothing: the effect happens exactly once.
    @Test func aRelayKilledBeforeSavingTheCursorRedeliversAndTheInboxKeepsItOnce() async throws {
        let directory = try TemporaryDirectory()
        let first = try await ChildProcess(arguments: ["relay-crash", directory.url.path, "first"])
        try await first.waitForLine(within: .seconds(30), description: "handled evt-r-1 fresh=true") { $0 == "handled evt-r-1 fresh=true" }
        try await first.waitForLine(within: .seconds(30), description: "delivered evt-r-1") { $0 == "delivered evt-r-1" }
        first.killHard()

        let a = try Database(path: directory.path("a.sqlite"))
        let cursor = try await a.read { try $0.scalar(Int.self, "SELECT seq FROM outbox_cursor WHERE consumer = 'b'") }
        #expect(cursor == nil, "b's cursor must not have moved before the kill")
        let b = try Database(path: directory.path("b.sqlite"))
        #expect(try await b.read { try $0.scalar(Int.self, "SELECT count(*) FROM effect") } == 1)

        let restart = try await ChildProcess(arguments: ["relay-crash", directory.url.path, "restart"])
        try await restart.waitForLine(within: .seconds(30), description: "handled evt-r-1 fresh=false") { $0 == "handled evt-r-1 fresh=false" }
        try await restart.waitForLine(within: .seconds(30), description: "drained") { $0 == "drained" }
        #expect(try await restart.waitForExit(within: .seconds(30)) == 0)

        #expect(try await b.read { try $0.scalar(Int.self, "SELECT count(*) FROM effect") } == 1)
        #expect(try await a.read { try $0.scalar(Int.self, "SELECT seq FROM outbox_cursor WHERE consumer = 'b'") } == 1)
    }

    /// Events are committed and relayed to two groups, each on its own cursor, while the process is killed with
    /// SIGKILL at a moment chosen by the test. After a restart every group has handled every committed event of
    /// its types exactly once, and each subject's events in the order they were committed, across event types.
    @Test func killedWhileDeliveringToTwoGroupsNothingIsLostForEitherAndOrderHolds() async throws {
        let directory = try TemporaryDirectory()
        for round in 0..<3 {
            let writer = try await ChildProcess(arguments: ["relay-stream", directory.url.path, "first"])
            // Kill at a different depth each round: while b and c are still behind, at various points.
            let target = 150 + round * 170
            try await writer.waitForLine(within: .seconds(60), description: "b handled \(target)") { line in
                guard line.hasPrefix("handled b="), let b = Int(line.dropFirst(10).prefix { $0 != " " }) else { return false }
                return b >= target
            }
            writer.killHard()
        }
        let restart = try await ChildProcess(arguments: ["relay-stream", directory.url.path, "restart"])
        try await restart.waitForLine(within: .seconds(60), description: "drained") { $0 == "drained" }
        #expect(try await restart.waitForExit(within: .seconds(30)) == 0)

        let a = try Database(path: directory.path("a.sqlite"))
        struct Logged: Hashable {
            var id: String
            var type: String
            var subject: String
            var n: Int
        }
        func rows(_ database: Database, _ table: String) async throws -> [Logged] {
            try await database.read { connection in
                // The table name is one of two constants of this test, never input.
                try connection.query(table == "event_log" ? "SELECT * FROM event_log ORDER BY rowid" : "SELECT * FROM effect ORDER BY rowid").map {
                    Logged(id: try $0["event_id"], type: try $0["type"], subject: try $0["subject"], n: try $0["n"])
                }
            }
        }
        let committed = try await rows(a, "event_log")
        #expect(committed.count > 400, "three runs committed events")
        for (group, types) in [("b", ["a.reserved.v1", "a.extended.v1", "a.released.v1"]), ("c", ["a.released.v1"])] {
            let handled = try await rows(try Database(path: directory.path("\(group).sqlite")), "effect")
            let expected = committed.filter { types.contains($0.type) }
            #expect(handled.count == expected.count, "group \(group) handled each event once")
            #expect(Set(handled) == Set(expected), "group \(group) lost nothing and invented nothing")
            for subject in Set(expected.map(\.subject)) {
                let order = handled.filter { $0.subject == subject }.map(\.n)
                #expect(order == order.sorted(), "group \(group) saw \(subject) in commit order")
            }
        }
    }
}
