import Foundation
import HTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `emporium serve` binary on a temporary data directory and an ephemeral port, seeded with the fixture
/// catalog, without a rate limit (browsers poll) and with the cheapest password hashes; stopped with SIGTERM
/// afterwards, which must end it cleanly.
struct ServedBinary {
    static let adminEmail = "admin@emporium.local"
    static let adminPassword = "browser test password"

    let base: String
    let port: Int

    /// `base` + `path`.
    func url(_ path: String) -> String { base + path }

    /// Serves with `extra` arguments, waits until search has indexed the seed catalog, runs `body`, stops.
    static func with(extra: [String] = [], _ body: (ServedBinary) async throws -> Void) async throws {
        let data = try TemporaryDirectory()
        let server = try await ChildProcess(
            executable: try ChildProcess.builtExecutable("emporium"),
            arguments: [
                "serve", "--port", "0", "--data", data.path("data"), "--log-level", "error", "--admin-password", adminPassword, "--rate-limit", "0",
                // The suite runs many systems at once on two cores: their queues are the suite's, not clients' to be
                // shed for (admission is tested in the gateway's tests and by the overload drill).
                "--set", "identity.password-cost=1", "--queue-target", "0",
            ] + extra,
            standardError: FileHandle(forWritingAtPath: "/dev/null")
        )
        let line = try await server.waitForLine(within: .seconds(60), description: "the listening line") { $0.contains("listening on http://") }
        let base = try #require(line.split(separator: " ").last.map { String($0.dropLast(1)) }, "\(line)")
        let port = try #require(base.split(separator: ":").last.flatMap { Int($0) }, "\(line)")
        let served = ServedBinary(base: base, port: port)

        let client = try HTTPClient()
        do {
            let connection = try await client.connect(port: port, timeout: .seconds(5))
            // Polled every few milliseconds while the index is built: unsampled, so that these requests record no traces
            // and the dashboard's recent traces still show the start's (the seed import's) trace.
            let unsampled: HTTPHeaders = ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"]
            try await waitUntil("search has indexed the seed catalog", timeout: .seconds(30)) {
                let response = try await connection.send(.get, "/api/v1/search?q=kettle&_=\(UUID().uuidString)", headers: unsampled)
                return response.status.code == 200 && !response.text.contains("\"total\":0")
            }
            await connection.close()
            client.shutdown()
            try await body(served)
        } catch {
            client.shutdown()
            server.killHard()
            throw error
        }
        server.process.signal(SIGTERM)
        #expect(try await server.waitForExit(within: .seconds(20)) == 0)
    }
}
