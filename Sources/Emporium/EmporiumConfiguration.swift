public import Foundation
public import ModuleKit
public import ServiceKit
public import Telemetry

/// Everything that decides how an ``Emporium`` system is put together. The defaults are `emporium serve`'s.
///
/// ```swift
/// var configuration = EmporiumConfiguration(dataDirectory: "/var/lib/emporium")
/// configuration.port = 0  // an ephemeral port
/// configuration.replicas["catalog"] = 3
/// configuration.settings["identity.admin-email"] = "owner@shop.example"
/// configuration.transport = .serialized
/// let system = try await Emporium.start(configuration)
/// ```
public struct EmporiumConfiguration: Sendable {
    /// Where each module keeps its SQLite file (`catalog.sqlite`, …), and the signing secret; created if missing. `nil` keeps every database in memory (gone on stop).
    public var dataDirectory: String?
    /// The address the HTTP server binds.
    public var host: String
    /// The port; 0 picks a free one (read it from ``Emporium/port``).
    public var port: Int
    /// Instances per service, by service name (`catalog`, `identity`, `search`); 1 when absent.
    public var replicas: [String: Int]
    /// How calls between modules travel: `direct` calls the handler, `serialized` encodes requests and replies
    /// as JSON, as a wire would.
    public var transport: InProcessTransport.Mode
    /// Faults injected into calls, by endpoint name (`catalog.product`) or service name (`catalog`).
    public var faults: [String: FaultInjector.Fault]
    /// How instances are chosen.
    public var balancing: ServiceClient.Configuration.Balancing
    /// The least severe log level written (JSON lines on standard error).
    public var logLevel: Logger.Level
    /// Whether commits wait for the disk (`synchronous=FULL`) rather than only for the WAL (`NORMAL`, safe across
    /// process crashes but not power loss).
    public var durableCommits: Bool
    /// The JWT signing secret; `nil` generates one on first start and keeps it in the data directory (mode 0600).
    public var signingSecret: [UInt8]?
    /// Every module's configuration section, `<module>.<setting>`: `identity.admin-email`,
    /// `identity.admin-password`, `identity.password-cost`, `catalog.seed` (`emporium services` lists them all).
    /// A key no module declares fails the start.
    public var settings: ModuleSettings
    /// Requests per minute per client on the API (rate-limit class `default`). Logins and registrations have their
    /// own class, `auth`: ``authRequestsPerMinute``. 0 turns both off, for load tests, whose virtual shoppers all
    /// register and log in from one address; Identity still throttles failed logins per account and address.
    public var requestsPerMinute: Int
    /// Requests per minute per client to register, log in, refresh and log out (rate-limit class `auth`, 20 by
    /// default) while ``requestsPerMinute`` is not 0; 0 turns this limit off alone (a fuzzer sending them by the
    /// thousand).
    public var authRequestsPerMinute: Int
    /// How many API requests may be in the gateway at once; more are shed with `503` (`overloaded`,
    /// `Retry-After: 1`) before any work, so the requests admitted keep their latency under overload. `nil` admits
    /// everything.
    public var maxRequestsInFlight: Int?
    /// When most API requests of a 20 ms interval (from 8 connections at least) waited longer than this in the
    /// server before their handlers (2 ms by default), those that do in the next interval are shed like those over
    /// ``maxRequestsInFlight``: the server is not catching up, and what it admits must stay quick. `nil` sheds on
    /// the limit alone.
    public var admissionQueueTarget: Duration?
    /// Whether the gateway answers cacheable public `GET`s from its response cache; `false` sends every request to
    /// its service (`emporium serve --no-response-cache`, for measuring what the cache is worth).
    public var responseCache: Bool
    /// Whether to listen for HTTP at all; off for commands that only use the modules (`seed`, `backup`).
    public var serveHTTP: Bool
    /// Serves the web store and dashboard at `/`.
    public var serveStoreFront: Bool
    /// HTTP event loops; one per core by default.
    public var eventLoops: Int?
    /// How many recent traces the dashboard can show.
    public var tracesKept: Int
    /// The most new traces recorded per second (later requests in that second still carry trace ids but record
    /// no spans); `nil` records every one. 100 keeps everything at human pace and costs a load test little.
    public var tracesPerSecond: Int?

    /// The defaults: `127.0.0.1:8080`, data in `./.emporium`, one instance per service, direct transport.
    /// - Parameter dataDirectory: The data directory; `nil` for in-memory databases.
    public init(dataDirectory: String? = ".emporium") {
        self.dataDirectory = dataDirectory
        host = "127.0.0.1"
        port = 8080
        replicas = [:]
        transport = .direct
        faults = [:]
        balancing = .powerOfTwoChoices
        logLevel = .info
        durableCommits = false
        signingSecret = nil
        settings = ModuleSettings()
        requestsPerMinute = 600
        authRequestsPerMinute = 20
        maxRequestsInFlight = 256
        admissionQueueTarget = .milliseconds(2)
        responseCache = true
        serveHTTP = true
        serveStoreFront = true
        eventLoops = nil
        tracesKept = 100
        tracesPerSecond = 100
    }

    /// The seed catalog shipped in the repository, `Fixtures/catalog/catalog.json`: looked up from the working
    /// directory, then from where this library was built. `nil` when neither has it.
    public static var fixtureCatalog: URL? {
        let relative = "Fixtures/catalog/catalog.json"
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative)]
        // Sources/Emporium/EmporiumConfiguration.swift → the package root.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(relative))
        return candidates.first { FileManager.default.isReadableFile(atPath: $0.path) }
    }
}
