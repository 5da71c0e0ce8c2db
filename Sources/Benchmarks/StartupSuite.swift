import Foundation
import HTTP

#if canImport(Glibc)
import Glibc
#endif

/// How long `emporium serve` takes until it serves: the `emporium` binary beside this one is started on a fresh
/// data directory (first start: migrations and the seed catalog) and on one it already used (restart), and the
/// figures are the time from exec to the first `200` from `/ready`, and to search answering hits for the seed
/// catalog (its events relayed and indexed).
struct StartupSuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("emporium")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            Progress.fail("startup: \(binary.path) is missing; build it with `swift build -c release --product emporium`")
        }
        let scratch = try ScratchDirectory()
        for mode in ["first-start", "restart"] {
            var ready: [Double] = []
            var searchable: [Double] = []
            guard options.wants("startup.\(mode)") else { continue }
            for run in 1...options.runs {
                let data = scratch.path(mode == "first-start" ? "data-\(run)" : "data-restart")
                let (toReady, toSearch) = try await Self.measure(binary: binary, data: data)
                ready.append(toReady)
                searchable.append(toSearch)
                Progress.say("  startup.\(mode) run \(run)/\(options.runs): ready \(Int(toReady)) ms, searchable \(Int(toSearch)) ms")
            }
            Progress.figure("startup.\(mode).ready", median(ready), "ms")
            Progress.figure("startup.\(mode).searchable", median(searchable), "ms")
        }
    }

    /// Milliseconds from exec to `/ready` and to search hits.
    private static func measure(binary: URL, data: String) async throws -> (Double, Double) {
        let port = 20_000 + Int.random(in: 0..<20_000)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", String(port), "--data", data, "--log-level", "error"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let started = ContinuousClock.now
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let client = try HTTPClient()
        defer { client.shutdown() }
        let deadline = started + .seconds(30)
        func until(_ target: String, _ accept: (HTTPClientResponse) -> Bool) async throws -> Double {
            while ContinuousClock.now < deadline {
                if let connection = try? await client.connect(port: port, timeout: .seconds(1)) {
                    let response = try? await connection.send(.get, target)
                    await connection.close()
                    if let response, accept(response) { return (ContinuousClock.now - started) / .milliseconds(1) }
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            Progress.fail("startup: \(target) did not answer within 30 s")
        }
        let ready = try await until("/ready") { $0.status.code == 200 }
        let searchable = try await until("/api/v1/search?q=kettle") { $0.status.code == 200 && !$0.text.contains("\"total\":0") }
        return (ready, searchable)
    }
}
