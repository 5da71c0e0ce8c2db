import Foundation
import HTTP

#if canImport(Glibc)
import Glibc
#endif

/// `emporium serve` started from this very binary on a fresh temporary data directory, for `load --compare`: its
/// URL read from the banner on its stdout as the tests read it, its logs kept in a file beside the data, stopped with
/// SIGTERM and removed afterwards. Used from one task.
final class ServedChild {
    let arguments: [String]
    let url: String
    let port: Int
    let dataDirectory: String
    private let process: Process
    private let directory: URL

    /// Starts the child and waits until it listens, answers `/ready`, and search has indexed the catalog.
    /// - Parameter extra: Flags added to `serve --port 0 --data DIR --rate-limit 0 --queue-target 0 --set identity.password-cost=1`.
    /// - Throws: ``CLIError`` (1) when the child exits or does not get ready within `timeout`.
    init(extra: [String], timeout: Duration = .seconds(120)) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-load-\(UUID().uuidString)")
        dataDirectory = directory.appendingPathComponent("data").path
        // No shedding: a comparison measures what each side serves when saturated.
        arguments =
            ["serve", "--port", "0", "--data", dataDirectory, "--rate-limit", "0", "--queue-target", "0", "--set", "identity.password-cost=1"]
            + extra
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("stdout")
        let logs = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: logs.path, contents: nil)
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        // Neither side may pick up the caller's EMPORIUM_ settings: only the switched flag may differ.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMPORIUM_") }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: logs)
        try process.run()

        let deadline = ContinuousClock.now + timeout
        var listening: String?
        while listening == nil {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            listening = text.split(separator: "\n").first { $0.contains(" listening on http://") }.map(String.init)
            if listening != nil { break }
            guard process.isRunning else { throw Self.failure("exited with status \(process.terminationStatus) before listening", logs: logs) }
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw Self.failure("did not listen within \(timeout)", logs: logs)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // "emporium 0.2.0 listening on http://127.0.0.1:41234/"
        let base = String(listening?.split(separator: " ").last?.dropLast() ?? "")
        guard let port = base.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw CLIError(.failure, "cannot read the port from the child's line '\(listening ?? "")'")
        }
        url = base
        self.port = port
        do {
            try await waitUntilReady(deadline: deadline)
        } catch {
            await stop()
            throw error
        }
    }

    /// The administrator's password the child generated on its first start.
    var adminPassword: String {
        get throws {
            let file = dataDirectory + "/initial-admin-password"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CLIError(.failure, "the child wrote no \(file)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// SIGTERM, up to 30 seconds for a clean stop, then SIGKILL; the temporary directory goes either way.
    func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// `/ready` answers 200 and search finds a word of the first product's name: the seed catalog is indexed.
    private func waitUntilReady(deadline: ContinuousClock.Instant) async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let connection = try await client.connect(port: port, timeout: .seconds(10))
        defer { Task { await connection.close() } }
        struct Page: Decodable {
            struct Product: Decodable { var name: String }
            var products: [Product]
        }
        struct Results: Decodable { var total: Int }
        while true {
            if try await connection.send(.get, "/ready").status == .ok,
                let page = try? JSONDecoder().decode(Page.self, from: Data(try await connection.send(.get, "/api/v1/products?limit=1").body))
            {
                guard let word = page.products.first.flatMap({ ShopperJourney.searchWord(in: $0.name) }) else { return }
                let found = try await connection.send(.get, "/api/v1/search?q=\(LoadCatalog.encoded(word))&_=\(UUID().uuidString)")
                if let results = try? JSONDecoder().decode(Results.self, from: Data(found.body)), results.total > 0 { return }
            }
            guard ContinuousClock.now < deadline else {
                throw CLIError(.failure, "the child at \(url) was not ready with its catalog indexed in time")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// This program, as the kernel knows it.
    private static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    private static func failure(_ what: String, logs: URL) -> CLIError {
        let tail = ((try? String(contentsOf: logs, encoding: .utf8)) ?? "").split(separator: "\n").suffix(5).joined(separator: "\n")
        return CLIError(.failure, "the emporium serve started for the comparison \(what)" + (tail.isEmpty ? "" : "; its last log lines:\n\(tail)"))
    }
}
