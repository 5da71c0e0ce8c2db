import Foundation
import Storage
import TestSupport
import Testing

@Suite struct RelayCrashTests {
    /// The relay's process is killed with SIGKILL after the subscriber handled an event but before the relay
    /// marked it sent. After a restart the relay sends it again, and the subscriber's inbox makes the second
    /// delivery change nothing: the effect happens exactly once.
    @Test func aRelayKilledBeforeMarkingSentRedeliversAndTheInboxKeepsItOnce() async throws {
        let directory = try TemporaryDirectory()
        let first = try await ChildProcess(arguments: ["relay-crash", directory.url.path, "first"])
        try await first.waitForLine(within: .seconds(30), description: "handled evt-r-1 fresh=true") { $0 == "handled evt-r-1 fresh=true" }
        try await first.waitForLine(within: .seconds(30), description: "delivered evt-r-1") { $0 == "delivered evt-r-1" }
        first.killHard()

        let a = try Database(path: directory.path("a.sqlite"))
        let unsent = try await a.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox WHERE sent_at_us IS NULL") }
        #expect(unsent == 1, "the event must still be unsent after the kill")
        let b = try Database(path: directory.path("b.sqlite"))
        #expect(try await b.read { try $0.scalar(Int.self, "SELECT count(*) FROM effect") } == 1)

        let restart = try await ChildProcess(arguments: ["relay-crash", directory.url.path, "restart"])
        try await restart.waitForLine(within: .seconds(30), description: "handled evt-r-1 fresh=false") { $0 == "handled evt-r-1 fresh=false" }
        try await restart.waitForLine(within: .seconds(30), description: "drained") { $0 == "drained" }
        #expect(try await restart.waitForExit(within: .seconds(30)) == 0)

        #expect(try await b.read { try $0.scalar(Int.self, "SELECT count(*) FROM effect") } == 1)
        #expect(try await a.read { try $0.scalar(Int.self, "SELECT count(*) FROM outbox WHERE sent_at_us IS NULL") } == 0)
    }
}
