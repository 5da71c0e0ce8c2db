import Foundation
import HTTP
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension WholeSystem {
    /// The real `emporium` binary, run as a child process: what a shell user sees (output, exit status).
    @Suite struct CLITests {
        @Test func helpNamesEveryCommandAndExitsZero() async throws {
            let run = try await EmporiumRun.finish(["--help"])
            #expect(run.status == 0)
            for command in ["serve", "demo", "seed", "backup", "services"] {
                #expect(run.stdout.contains("  \(command) "), "--help does not mention \(command)")
            }
            let serveHelp = try await EmporiumRun.finish(["serve", "--help"])
            #expect(serveHelp.status == 0)
            #expect(serveHelp.stdout.contains("--port PORT") && serveHelp.stdout.contains("EMPORIUM_PORT"))
            let helpBackup = try await EmporiumRun.finish(["help", "backup"])
            #expect(helpBackup.status == 0 && helpBackup.stdout.contains("Usage: emporium backup DEST"))
        }

        @Test(arguments: [
            ["frobnicate"], ["serve", "--frobnicate"], ["serve", "--port", "eighty"], ["backup"], ["help", "frobnicate"], ["load"],
            ["load", "--url", "http://127.0.0.1:9", "--users", "0"], ["load", "--url", "http://127.0.0.1:9", "--duration", "soon"],
            ["load", "--url", "http://127.0.0.1:9", "--think", "1s-500ms"], ["load", "--compare", "everything"],
            ["load", "--compare", "cache", "--url", "http://127.0.0.1:9"], ["load", "--url", "ftp://127.0.0.1:9"],
            ["load", "--compare", "cache", "--record", "checkouts.jsonl"],
        ])
        func usageErrorsExit64(arguments: [String]) async throws {
            let run = try await EmporiumRun.finish(arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.hasPrefix("emporium: "))
            #expect(run.stdout.isEmpty)
        }

        @Test func servingOnATakenPortExits69NamingThePort() async throws {
            let directory = try TemporaryDirectory()
            let listener = try ListeningSocket()
            let run = try await EmporiumRun.finish(["serve", "--port", "\(listener.port)", "--data", directory.path("data"), "--no-seed"])
            #expect(run.status == 69, "\(run.stderr)")
            #expect(run.stderr.contains("127.0.0.1:\(listener.port)"))
            #expect(run.stderr.contains("in use"))
        }

        @Test func aDataDirectoryUnderAFileExits73() async throws {
            let directory = try TemporaryDirectory()
            try Data("not a directory".utf8).write(to: directory.url.appendingPathComponent("file"))
            let run = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.path("file/sub")])
            #expect(run.status == 73, "\(run.stderr)")
            #expect(run.stderr.contains("file/sub"))
        }

        @Test func aDamagedDatabaseExits65() async throws {
            let directory = try TemporaryDirectory()
            let garbage = (0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(garbage).write(to: directory.url.appendingPathComponent("catalog.sqlite"))
            let run = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.url.path])
            #expect(run.status == 65, "\(run.stderr)")
            #expect(run.stderr.contains("catalog.sqlite"))
        }

        @Test func aDatabaseFromANewerBuildExits76AndIsLeftAsItIs() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("search.sqlite")
            let database = try Database(path: path)
            try await database.write { connection in
                try connection.execute("CREATE TABLE schema_migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT, applied_at TEXT)")
                try connection.execute("INSERT INTO schema_migrations (id, checksum, applied_at) VALUES ('9-from-a-newer-build', NULL, 'now')")
            }
            database.close()
            let run = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.url.path])
            #expect(run.status == 76, "\(run.stderr)")
            #expect(run.stderr.contains("search.sqlite"))
            #expect(run.stderr.contains("newer"))
            let reopened = try Database(path: path)
            #expect(try await reopened.read { try $0.scalar(Int.self, "SELECT count(*) FROM schema_migrations") } == 1)
        }

        @Test func anUnreadableSeedExits66() async throws {
            let directory = try TemporaryDirectory()
            let run = try await EmporiumRun.finish(["seed", "--data", directory.path("data"), "--seed", directory.path("missing.json")])
            #expect(run.status == 66, "\(run.stderr)")
            #expect(run.stderr.contains("missing.json"))
        }

        @Test func servicesListsTheLiveWiring() async throws {
            let json = try await EmporiumRun.finish(["services", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            let report = try JSONDecoder().decode(ServicesReport.self, from: Data(json.stdout.utf8))
            #expect(
                Set(report.modules.map(\.name)) == [
                    "catalog", "search", "identity", "inventory", "warehouse", "payments", "customers", "cart", "orders", "recommendations",
                ]
            )
            let catalog = try #require(report.modules.first { $0.name == "catalog" })
            #expect(catalog.endpoints.contains("catalog.product"))
            #expect(catalog.publishes.contains("catalog.product-created.v1"))
            let search = try #require(report.modules.first { $0.name == "search" })
            #expect(search.consumes.contains("catalog.product-created.v1"))
            #expect(search.endpoints.contains("search.query"))
            let identity = try #require(report.modules.first { $0.name == "identity" })
            #expect(
                identity.settings == [
                    "identity.admin-email", "identity.admin-password", "identity.password-cost", "identity.max-failed-logins",
                    "identity.login-throttle-window",
                ]
            )
            #expect(report.routes.contains { $0.method == "GET" && $0.pattern == "/api/v1/products/{id}" && $0.access == "public" })
            #expect(report.routes.contains { $0.pattern == "/admin/services" && $0.access == "role admin" })

            let table = try await EmporiumRun.finish(["services", "--replicas", "catalog=3"])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.contains("catalog  (3 instances: catalog-1, catalog-2, catalog-3)"))
            #expect(table.stdout.contains("consumes   catalog.product-created.v1"))
        }

        @Test func aModuleSettingIsSetOnTheCommandLineAndAnUnknownOneStopsTheStart() async throws {
            let directory = try TemporaryDirectory()
            let unknown = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.path("data"), "--set", "identity.pasword-cost=6"])
            #expect(unknown.status == 78, "\(unknown.stderr)")
            #expect(unknown.stderr.contains("unknown setting identity.pasword-cost; settings: cart.idle-expiry, "))
            #expect(unknown.stderr.contains(", identity.admin-email, "))
            let bad = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.path("data"), "--set", "identity.password-cost=99"])
            #expect(bad.status == 78, "\(bad.stderr)")
            #expect(bad.stderr.contains("identity.password-cost must be a whole number from 1 to 11, not '99'"))
            let malformed = try await EmporiumRun.finish(["serve", "--set", "password-cost"])
            #expect(malformed.status == 64, "\(malformed.stderr)")
            let pace = try await EmporiumRun.finish(["serve", "--port", "0", "--data", directory.path("data"), "--fulfilment", "sometimes"])
            #expect(pace.status == 78, "\(pace.stderr)")
            #expect(pace.stderr.contains("warehouse.fulfilment must be fast, realistic or manual, not 'sometimes'"))
        }

        @Test func seedThenBackupWritesEveryDatabase() async throws {
            let directory = try TemporaryDirectory()
            let data = directory.path("data")
            let seed = try await EmporiumRun.finish(["seed", "--data", data], timeout: .seconds(120))
            #expect(seed.status == 0, "\(seed.stderr)")
            #expect(seed.stdout.contains("products added    540"))
            #expect(seed.stdout.contains("search is up to date"))

            let backup = try await EmporiumRun.finish(["backup", directory.path("backup"), "--data", data])
            #expect(backup.status == 0, "\(backup.stderr)")
            for module in ["catalog", "search", "identity", "warehouse", "payments", "customers", "cart", "orders", "recommendations"] {
                let file = directory.path("backup/\(module).sqlite")
                #expect(FileManager.default.fileExists(atPath: file), "no \(file)")
                #expect(backup.stdout.contains(file))
            }

            let again = try await EmporiumRun.finish(["seed", "--data", data], timeout: .seconds(120))
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("products skipped  540"))
        }

        @Test func serveAnswersHealthAndStopsCleanlyOnSIGTERM() async throws {
            let directory = try TemporaryDirectory()
            let serve = try EmporiumRun(["serve", "--port", "0", "--data", directory.path("data"), "--admin-password", "correct horse battery"])
            defer { serve.killIfRunning() }
            let line = try await serve.waitForLine(within: .seconds(60)) { $0.contains("/health") }
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }.flatMap { URL(string: String($0)) })
            let port = try #require(url.port)
            #expect(port != 0)

            let client = try HTTPClient()
            defer { client.shutdown() }
            let connection = try await client.connect(host: "127.0.0.1", port: port)
            let health = try await connection.send(.get, "/health")
            #expect(health.status.code == 200)
            #expect(health.text.contains("ok"))
            await connection.close()

            #expect(serve.stdout.contains("\(url.scheme!)://127.0.0.1:\(port)/dashboard.html"))
            #expect(serve.stdout.contains("admin@emporium.local"))
            serve.process.signal(SIGTERM)
            let status = try await serve.waitForExit(within: .seconds(30))
            #expect(status == 0, "\(serve.stderr)")
            #expect(serve.stdout.hasSuffix("stopped\n"))
            #expect(serve.stderr.contains("\"level\":\"info\""), "logs are JSON lines on stderr")
        }

        @Test func demoWalksEveryStepAgainstAnInProcessSystem() async throws {
            let run = try await EmporiumRun.finish(["demo"], timeout: .seconds(180))
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            let steps = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  ok ") }
            #expect(steps.count == 17, "\(run.stdout)")
            for path in ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/search?q=", "/api/v1/me", "/api/v1/auth/logout"] {
                #expect(steps.contains { $0.contains(path) }, "no step for \(path)")
            }
            let traceID = /trace [0-9a-f]{32}/
            #expect(steps.allSatisfy { $0.contains(traceID) })
            #expect(run.stdout.contains("17 of 17 steps as expected"))

            // The purchase, the declined card with the cart kept, the cancellation with the money given back.
            #expect(steps.contains { $0.contains("201 POST  /api/v1/me/addresses") })
            #expect(steps.contains { $0.contains("201 POST  /api/v1/checkout") && $0.contains(" confirmed, ") })
            #expect(steps.contains { $0.contains("402 POST  /api/v1/checkout") && $0.contains("declined, card_declined; order o-") })
            #expect(steps.contains { $0.contains("200 GET   /api/v1/cart ") && $0.contains("the cart kept: 1 line") })
            #expect(steps.contains { $0.contains("200 POST  /api/v1/orders/o-") && $0.contains("/cancel ") })
            #expect(steps.contains { $0.contains("200 GET   /api/v1/orders/o-") && $0.contains("cancelled, ") && $0.contains(/refunded|voided/) })
        }

        @Test func loadRunsTheMixAgainstAServedBinaryAndTheAuditIsClean() async throws {
            let directory = try TemporaryDirectory()
            let catalog = try SmallCatalog.write(in: directory, first: 24)
            let server = try await Served.start(data: directory.path("data"), extra: ["--seed", catalog, "--rate-limit", "0"])
            let journal = directory.path("checkouts.jsonl")
            let run = try await EmporiumRun.finish(
                [
                    "load", "--url", "http://127.0.0.1:\(server.port)", "--users", "4", "--duration", "2s", "--think", "0ms", "--json", "--password",
                    Served.adminPassword, "--record", journal,
                ],
                timeout: .seconds(120)
            )
            // --record: a line per checkout with what the shopper was told, and per stock adjustment; each 201 names an
            // order that exists at the total told.
            struct Line: Decodable {
                struct Total: Decodable, Equatable {
                    var minorUnits: Int
                    var currency: String
                }
                var event: String
                var status: Int?
                var orderId: String?
                var total: Total?
            }
            let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").map {
                try JSONDecoder().decode(Line.self, from: Data($0.utf8))
            }
            let admin = try await server.login(Served.adminEmail, Served.adminPassword)
            let confirmed = lines.filter { $0.event == "checkout" && $0.status == 201 }
            #expect(!confirmed.isEmpty)
            for line in confirmed {
                let order = try await server.send(.get, "/api/v1/admin/orders/\(try #require(line.orderId))", token: admin)
                struct Order: Decodable {
                    struct Totals: Decodable { var total: Line.Total }
                    var totals: Totals
                }
                #expect(try JSONDecoder().decode(Order.self, from: Data(order.body)).totals.total == line.total)
            }
            await server.stop()
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            let report = try JSONDecoder().decode(LoadReport.self, from: Data(run.stdout.utf8))
            #expect(report.users == 4)
            for kind in ["home", "browse", "search", "add-to-cart", "view-cart", "checkout", "register", "login", "save-address"] {
                let step = try #require(report.steps.first { $0.step == kind }, "no \(kind) in \(run.stdout)")
                #expect(step.requests > 0, "\(kind) never ran")
                #expect(step.unexpected == 0, "\(kind): \(step.statuses)")
                #expect(step.latencyMs.p50 <= step.latencyMs.p99)
            }
            #expect(report.step("checkout")?.expected == [201, 202])
            #expect(report.checkouts > 0 && report.requests > report.checkouts)
            #expect(report.unexpected == 0, "\(report.unexpectedSamples)")
            #expect(report.orders.values.reduce(0, +) >= report.checkouts, "\(report.orders)")
            #expect(report.orders["pending"] == nil)
            let audit = try #require(report.audit)
            #expect(audit.violations.isEmpty && audit.orders >= report.checkouts)
            #expect(report.passed && report.problems.isEmpty)
            #expect(lines.filter { $0.event == "checkout" && ($0.status == 201 || $0.status == 202) }.count == report.checkouts)
            #expect(lines.filter { $0.event == "stocked" }.count == report.restockedProducts)
        }

        @Test func loadWithAllowShedCountsRefusalsApartAndStillChecksTheOrders() async throws {
            let directory = try TemporaryDirectory()
            let catalog = try SmallCatalog.write(in: directory, first: 24)
            // Two API requests in flight at most: eight shoppers without think time are refused (503 overloaded,
            // Retry-After) much of the time, registering and logging in included.
            let server = try await Served.start(
                data: directory.path("data"),
                extra: ["--seed", catalog, "--rate-limit", "0", "--max-in-flight", "2"]
            )
            let arguments = [
                "load", "--url", "http://127.0.0.1:\(server.port)", "--users", "8", "--duration", "3s", "--think", "0ms", "--json",
                "--password", Served.adminPassword,
            ]
            let strict = try await EmporiumRun.finish(arguments, timeout: .seconds(120))
            // Longer, so that a login refused again and again (each retry after up to a second, while seven shoppers
            // keep the two places busy) still gets in before the end.
            var shedArguments = arguments + ["--allow-shed"]
            shedArguments[shedArguments.firstIndex(of: "3s")!] = "8s"
            let shed = try await EmporiumRun.finish(shedArguments, timeout: .seconds(120))
            await server.stop()

            // Without the flag a refusal is unexpected and fails the run.
            let failed = try JSONDecoder().decode(LoadReport.self, from: Data(strict.stdout.utf8))
            #expect(strict.status == 1 && !failed.passed)
            #expect(failed.refused > 0 && failed.unexpected >= failed.refused, "\(failed.unexpectedSamples)")

            // With it, refusals are counted apart, every shopper still got in, and the orders and audit are checked.
            #expect(shed.status == 0, "\(shed.stdout)\n\(shed.stderr)")
            let report = try JSONDecoder().decode(LoadReport.self, from: Data(shed.stdout.utf8))
            #expect(report.passed && report.unexpected == 0, "\(report.problems) \(report.unexpectedSamples)")
            #expect(report.refused > 0)
            let refusedByStep = report.steps.reduce(0) { $0 + $1.refused }
            #expect(refusedByStep == report.refused)
            #expect(report.steps.reduce(0) { $0 + ($1.statuses["503"] ?? 0) } == report.refused)
            // A refused registration or login is tried again (after at most a second), not given up.
            let registered = report.step("register")?.statuses["201"] ?? 0
            #expect(registered >= 4 && (report.step("login")?.statuses["200"] ?? 0) >= registered - 1, "\(report.steps)")
            #expect(report.checkouts > 0 && report.orders.values.reduce(0, +) >= report.checkouts, "\(report.orders)")
            #expect(try #require(report.audit).violations.isEmpty)
            #expect(report.refusedLatencyMs.p50 <= report.refusedLatencyMs.p99)
        }

        @Test func loadCannotReachAShopExits69() async throws {
            let listener = try ListeningSocket()
            let port = listener.port
            listener.close()
            let run = try await EmporiumRun.finish(["load", "--url", "http://127.0.0.1:\(port)", "--duration", "1s", "--password", "x"])
            #expect(run.status == 69, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("emporium: cannot reach http://127.0.0.1:\(port)"))
        }
    }
}

// MARK: - Support

/// `emporium` running as a child process, its output collected in files (a pipe nobody reads would block it).
private final class EmporiumRun {
    let process: Subprocess
    private let directory: TemporaryDirectory
    private let outputPath: String
    private let errorPath: String

    /// The `emporium` executable, built beside the test bundle (the test target depends on EmporiumCLI).
    static var executableURL: URL {
        get throws {
            if let override = ProcessInfo.processInfo.environment["EMPORIUM_BINARY"] { return URL(fileURLWithPath: override) }
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            // On Darwin the test binary sits inside an .xctest bundle three levels deeper.
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("emporium")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory.deleteLastPathComponent()
            }
            throw BinaryMissing()
        }
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        var description: String { "emporium not found beside \(CommandLine.arguments[0]); build it first" }
    }

    /// Starts `emporium` with `arguments`, without the EMPORIUM_ variables of the test's environment.
    init(_ arguments: [String]) throws {
        directory = try TemporaryDirectory()
        outputPath = directory.path("stdout")
        errorPath = directory.path("stderr")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let output = open(outputPath, O_WRONLY | O_CLOEXEC)
        let errors = open(errorPath, O_WRONLY | O_CLOEXEC)
        defer {
            close(output)
            close(errors)
        }
        process = try Subprocess(
            try Self.executableURL.path,
            arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMPORIUM_") },
            standardOutput: output,
            standardError: errors
        )
    }

    deinit {
        killIfRunning()
    }

    var stdout: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Runs `emporium` to the end.
    static func finish(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try EmporiumRun(arguments)
        let status = try await run.waitForExit(within: timeout)
        return (status, run.stdout, run.stderr)
    }

    /// The first complete stdout line satisfying `predicate`; fails after `timeout` or when the process exits first.
    func waitForLine(within timeout: Duration, where predicate: @escaping (String) -> Bool) async throws -> String {
        var found: String?
        try await waitUntil("emporium prints the line awaited", timeout: timeout) {
            let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            found = lines.first(where: predicate)
            if found == nil && !process.isRunning { throw Exited(status: process.terminationStatus, stderr: stderr) }
            return found != nil
        }
        return found!
    }

    /// Waits for the exit status; kills the process if `timeout` passes first.
    func waitForExit(within timeout: Duration) async throws -> Int32 {
        do {
            try await waitUntil("emporium exits", timeout: timeout) { !process.isRunning }
        } catch {
            killIfRunning()
            throw error
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func killIfRunning() {
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    struct Exited: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "emporium exited with \(status) first: \(stderr)" }
    }
}

/// A TCP socket listening on an ephemeral port of 127.0.0.1, so the port is taken.
private final class ListeningSocket {
    let port: Int
    private var fd: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            let code = errno
            Glibc.close(descriptor)
            throw SocketFailed(code: code)
        }
        fd = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close()
    }

    /// Stops listening: the port is free again (and refuses connections until someone else takes it).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    struct SocketFailed: Error {
        let code: Int32
    }
}

/// `emporium load --json`, the parts the test reads.
private struct LoadReport: Decodable {
    struct Latency: Decodable {
        var p50: Double
        var p99: Double
    }
    struct Step: Decodable {
        var step: String
        var requests: Int
        var expected: [Int]
        var statuses: [String: Int]
        var unexpected: Int
        var refused: Int
        var latencyMs: Latency
    }
    struct Audit: Decodable {
        var orders: Int
        var violations: [[String: String?]]
    }
    var users: Int
    var requests: Int
    var checkouts: Int
    var unexpected: Int
    var refused: Int
    var refusedLatencyMs: Latency
    var unexpectedSamples: [String]
    var steps: [Step]
    var orders: [String: Int]
    var restockedProducts: Int
    var audit: Audit?
    var problems: [String]
    var passed: Bool

    func step(_ name: String) -> Step? { steps.first { $0.step == name } }
}

/// `emporium services --json`, the parts the test reads.
private struct ServicesReport: Decodable {
    struct Module: Decodable {
        var name: String
        var endpoints: [String]
        var publishes: [String]
        var consumes: [String]
        var settings: [String]
    }
    struct Route: Decodable {
        var method: String
        var pattern: String
        var access: String
    }
    var modules: [Module]
    var routes: [Route]
}
