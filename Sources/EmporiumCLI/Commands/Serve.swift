import Emporium
import Foundation
import ModuleKit
import ServiceKit
import Telemetry

/// `emporium serve`: the whole platform in the foreground until Ctrl-C or SIGTERM.
enum Serve: Command {
    static let name = "serve"
    static let summary = "Run the store, the dashboard and the API until Ctrl-C or SIGTERM."
    static let usage = "serve [--host ADDRESS] [--port PORT] [--data DIR] [flags]"
    static let discussion = """
        On first start the data directory gets one SQLite database per module, a JWT signing secret and the first
        administrator (password generated into <data>/initial-admin-password unless --admin-password), and the
        catalog is seeded from Fixtures/catalog/catalog.json (or --seed FILE; --no-seed starts empty). The URLs go
        to stdout, logs to stderr as JSON lines. EMPORIUM_SECRET (hex, at least 32 bytes) sets the signing secret.
        """
    static let examples = [
        "emporium serve",
        "emporium serve --port 0 --data /tmp/shop        # any free port; the URLs show which",
        "emporium serve --replicas catalog=3,search=2 --transport serialized",
        "emporium serve --fault catalog.product=latency:50ms,error:0.1 --log-level debug",
        "EMPORIUM_PORT=9090 EMPORIUM_DATA=/var/lib/emporium emporium serve --durable",
    ]

    static let host = Option(
        "host",
        .value(placeholder: "ADDRESS"),
        environment: "EMPORIUM_HOST",
        "The numeric address to listen on (default 127.0.0.1)."
    )
    static let port = Option("port", .value(placeholder: "PORT"), environment: "EMPORIUM_PORT", "The port (default 8080); 0 picks a free one.")
    static let replicas = Option(
        "replicas",
        .value(placeholder: "SERVICE=N,..."),
        environment: "EMPORIUM_REPLICAS",
        "Instances per service, e.g. catalog=3,search=2 (default 1 each)."
    )
    static let transport = Option(
        "transport",
        .value(placeholder: "MODE"),
        environment: "EMPORIUM_TRANSPORT",
        "direct (default) or serialized (JSON-encodes every call, as a wire would)."
    )
    static let balancing = Option(
        "balancing",
        .value(placeholder: "POLICY"),
        environment: "EMPORIUM_BALANCING",
        "p2c (power of two choices, default) or round-robin."
    )
    static let fault = Option(
        "fault",
        .repeatable(placeholder: "TARGET=SPEC", separator: ";"),
        environment: "EMPORIUM_FAULTS",
        "Slow or fail calls of a service, instance (catalog-2) or endpoint: SPEC is latency:50ms,error:0.1; repeatable, env ';'-separated."
    )
    static let durable = Option("durable", .flag, environment: "EMPORIUM_DURABLE", "Commits wait for the disk (synchronous=FULL), not only the WAL.")
    static let noSeed = Option("no-seed", .flag, "Start with an empty catalog.")
    static let adminEmail = Option(
        "admin-email",
        .value(placeholder: "EMAIL"),
        environment: "EMPORIUM_ADMIN_EMAIL",
        "The first administrator's e-mail (default admin@emporium.local)."
    )
    static let adminPassword = Option(
        "admin-password",
        .value(placeholder: "PASSWORD"),
        environment: "EMPORIUM_ADMIN_PASSWORD",
        "The first administrator's password (default: generated on first start)."
    )

    static let fulfilment = Option(
        "fulfilment",
        .value(placeholder: "PACE"),
        environment: "EMPORIUM_FULFILMENT",
        "How the simulated carrier moves shipments: fast (seconds), realistic (hours) or manual (default; by the admin API)."
    )

    static let setting = Option(
        "set",
        .repeatable(placeholder: "MODULE.SETTING=VALUE", separator: ";"),
        environment: "EMPORIUM_SETTINGS",
        "A module's setting, e.g. identity.password-cost=6; repeatable, env ';'-separated ('emporium services' lists them)."
    )

    static let rateLimit = Option(
        "rate-limit",
        .value(placeholder: "N"),
        environment: "EMPORIUM_RATE_LIMIT",
        "Requests per minute per client on the API (default 600; logins 20); 0 turns both limits off, for load tests."
    )

    static let noResponseCache = Option(
        "no-response-cache",
        .flag,
        environment: "EMPORIUM_NO_RESPONSE_CACHE",
        "Send every public GET to its service instead of answering from the gateway's response cache."
    )

    static let authRateLimit = Option(
        "auth-rate-limit",
        .value(placeholder: "N"),
        environment: "EMPORIUM_AUTH_RATE_LIMIT",
        "Registrations, logins, refreshes and logouts per minute per client (default 20) while --rate-limit is on; 0 turns it off, for fuzzing."
    )

    static let maxInFlight = Option(
        "max-in-flight",
        .value(placeholder: "N"),
        environment: "EMPORIUM_MAX_IN_FLIGHT",
        "API requests served at once (default 256); more are shed with 503 and Retry-After. 0 admits everything."
    )

    static let queueTarget = Option(
        "queue-target",
        .value(placeholder: "D"),
        environment: "EMPORIUM_QUEUE_TARGET",
        "When most API requests of 20 ms waited longer than D before their handlers, shed those that do in the next 20 ms (default 2ms); 0 sheds on --max-in-flight alone."
    )

    /// Environment only: a secret on a command line is visible to every user of the machine.
    static let secret = Option("secret", .value(placeholder: "HEX"), environment: "EMPORIUM_SECRET", "The JWT signing secret.")

    static let options = [
        host, port, Options.data, replicas, transport, balancing, fault, rateLimit, authRateLimit, maxInFlight, queueTarget, noResponseCache,
        Options.logLevel, durable, Options.seed, noSeed, adminEmail, adminPassword, fulfilment, setting,
    ]

    /// The configuration the flags and environment describe.
    static func configuration(_ arguments: ParsedArguments) throws(CLIError) -> EmporiumConfiguration {
        var configuration = EmporiumConfiguration(dataDirectory: Options.dataDirectory(arguments))
        if let host = arguments.value(host)?.text { configuration.host = host }
        if let port = try arguments.value(port, expected: "a port (0-65535)", Options.port) { configuration.port = port }
        if let replicas = try arguments.value(replicas, expected: "SERVICE=N[,SERVICE=N...] with N from 1 to 64", Options.replicas) {
            configuration.replicas = replicas
        }
        if let limit = try arguments.value(rateLimit, expected: "requests per minute (0 or more)", { Int($0).flatMap { $0 >= 0 ? $0 : nil } }) {
            configuration.requestsPerMinute = limit
        }
        if let limit = try arguments.value(authRateLimit, expected: "requests per minute (0 or more)", { Int($0).flatMap { $0 >= 0 ? $0 : nil } }) {
            configuration.authRequestsPerMinute = limit
        }
        if let limit = try arguments.value(maxInFlight, expected: "a number of requests (0 or more)", { Int($0).flatMap { $0 >= 0 ? $0 : nil } }) {
            configuration.maxRequestsInFlight = limit == 0 ? nil : limit
        }
        if let target = try arguments.value(queueTarget, expected: "a duration such as 50ms, or 0", { $0 == "0" ? .zero : Options.duration($0) }) {
            configuration.admissionQueueTarget = target == .zero ? nil : target
        }
        configuration.responseCache = !arguments.isSet(noResponseCache)
        if let mode = try arguments.value(transport, expected: "direct or serialized", InProcessTransport.Mode.init(rawValue:)) {
            configuration.transport = mode
        }
        if let policy = try arguments.value(
            balancing,
            expected: "p2c or round-robin",
            ServiceClient.Configuration.Balancing.init(rawValue:)
        ) {
            configuration.balancing = policy
        }
        for (text, source) in arguments.values(fault) {
            guard let (target, fault) = Options.fault(text) else {
                throw CLIError(
                    source.exitCode,
                    "\(source): '\(text)' is not TARGET=latency:DURATION,error:RATE (e.g. catalog=latency:50ms,error:0.1)"
                )
            }
            configuration.faults[target] = fault
        }
        configuration.logLevel = try Options.logLevel(arguments, default: .info)
        configuration.durableCommits = arguments.isSet(durable)
        for (text, source) in arguments.values(setting) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw CLIError(source.exitCode, "\(source): '\(text)' is not MODULE.SETTING=VALUE (e.g. identity.password-cost=6)")
            }
            configuration.settings[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        if let pace = arguments.value(fulfilment)?.text { configuration.settings["warehouse.fulfilment"] = pace }
        if let email = arguments.value(adminEmail)?.text { configuration.settings["identity.admin-email"] = email }
        if let password = arguments.value(adminPassword)?.text { configuration.settings["identity.admin-password"] = password }
        if let (text, _) = arguments.value(secret) {
            guard let secret = Options.secret(text) else {
                throw CLIError(.invalidConfiguration, "EMPORIUM_SECRET is not hexadecimal of at least 32 bytes (64 digits)")
            }
            configuration.signingSecret = secret
        }
        if arguments.isSet(noSeed) {
            guard arguments.value(Options.seed)?.source.isFlag != true else { throw CLIError(.usage, "--seed and --no-seed exclude each other") }
        } else if arguments.value(Options.seed) != nil || EmporiumConfiguration.fixtureCatalog != nil {
            configuration.settings["catalog.seed"] = try Options.seedCatalog(arguments).path
        }
        return configuration
    }

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        let configuration = try configuration(arguments)
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory ?? ".emporium").standardizedFileURL.path
        let firstStart = !Emporium.moduleNames.contains { FileManager.default.fileExists(atPath: "\(dataDirectory)/\($0).sqlite") }
        let system = try await Emporium(configuration: configuration, signals: nil)
        printBanner(system, dataDirectory: dataDirectory, firstStart: firstStart)
        try await system.run()
        Console.out("stopped")
        return .success
    }

    private static func printBanner(_ system: Emporium, dataDirectory: String, firstStart: Bool) {
        let configuration = system.configuration
        // A wildcard address is not one a browser can open; the loopback of the same family is.
        let host =
            switch configuration.host {
            case "0.0.0.0": "127.0.0.1"
            case "::", "[::]": "[::1]"
            case let host where host.contains(":") && !host.hasPrefix("["): "[\(host)]"
            case let host: host
            }
        let base = "http://\(host):\(system.port)"
        var rows = [
            ["store", "\(base)/"],
            ["dashboard", "\(base)/dashboard.html"],
            ["api", "\(base)/api/v1/"],
            ["health", "\(base)/health  (readiness: \(base)/ready)"],
            ["metrics", "\(base)/metrics"],
            ["data", dataDirectory],
        ]
        // What the modules' first-start steps report: the first administrator, what was seeded.
        rows += system.notes.enumerated().map { [$0 == 0 ? "modules" : "", $1] }
        if firstStart, !system.notes.contains(where: { $0.hasPrefix("seeded the catalog") }) {
            rows.append(["", "the catalog starts empty (seed it with 'emporium seed')"])
        }
        let services = system.moduleDescriptions.map { "\($0.name) x\($0.instances.count)" }.joined(separator: ", ")
        let cache = configuration.responseCache ? "" : "; response cache off"
        rows.append(["services", "\(services); \(configuration.transport.rawValue) transport\(cache)"])
        Console.out("emporium \(Emporium.version) listening on \(base)/")
        for line in Console.table(rows, indent: "  ") { Console.out(line) }
        Console.out("Press Ctrl-C to stop.")
    }
}

extension ValueSource {
    fileprivate var isFlag: Bool {
        if case .flag = self { return true }
        return false
    }
}
