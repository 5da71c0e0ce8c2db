import Foundation

/// `emporium load`: virtual shoppers against a running shop, or against two systems it starts to compare a pattern.
enum Load: Command {
    static let name = "load"
    static let summary = "Run virtual shoppers against a shop (or compare two it starts) and report rates, latencies and the audit."
    static let usage =
        "load --url URL [--users N] [--duration D] [--think MIN[-MAX]] [--record FILE] [--json] | load --compare PATTERN [flags]"
    static let discussion = """
        Each virtual shopper registers (a new e-mail address), logs in, and takes steps of Online Boutique's shopper
        mix on its own keep-alive connection until the duration is up: the front page 1, a product 10, a search 2,
        add to cart 2, view the cart 3, checkout 1 (weights). Before its first checkout a shopper saves an address;
        a checkout with an empty cart adds a product first; every checkout pays with 4242 4242 4242 4242 under a
        new Idempotency-Key. A 201 comes once the order's units have left the cart; after a 202 (the saga still
        deciding) a shopper reads the cart again (cart-check) until they have, rather than buy them twice. Before the run the products bought (64, spread over the catalog) are given stock through
        the admin API, 100,000 units each when they have fewer than half of that.

        Afterwards it reads every shopper's orders (waiting up to 30 s for pending ones to be decided), runs the
        audit as 'emporium audit' does, and reports requests and checkouts per second, p50/p90/p99 and the
        statuses of each step, and the orders by status. Expected statuses: checkout 201 or 202, register and
        save-address 201, every other step 200; refusals (429, or 503 with Retry-After) only with --allow-shed. Exits 1 when a request got another
        answer or none, when the audit finds a violation, or when orders are missing or still pending.

        --compare PATTERN starts this binary twice as 'emporium serve --port 0 --data <fresh directory>
        --rate-limit 0 --set identity.password-cost=1', once without and once with the pattern, runs the same load
        against each, stops each, and prints the two reports side by side with B/A per figure. Patterns: cache
        (--no-response-cache), transport (--transport serialized), replicas (--replicas <every module>=3),
        payments-latency (--fault payments=latency:50ms).

        Run it against a server started with --rate-limit 0 (every shopper comes from one address) and, for a stress
        run, --queue-target 0 (a saturated server sheds what queued too long) or count refusals with --allow-shed. A live line on
        stderr shows the rates (every second on a terminal, every five seconds otherwise).

        --record FILE appends a JSON line to FILE for every checkout as its answer arrives (the status, and the
        order's id, status and total for a 201 or 202, or the problem's type and the order it names; no status when
        there was no answer) and for every stock adjustment made before the run: what the clients were told, for a
        drill that kills the server under the load and checks afterwards that nothing told was lost.
        """
    static let examples = [
        "emporium load --url http://127.0.0.1:8080 --users 32 --duration 20s --think 0ms",
        "emporium load --url http://127.0.0.1:8080 --users 200 --duration 5m --think 500ms-2s --json > run.json",
        "emporium load --compare cache --users 32 --duration 20s --think 0ms",
    ]
    static let url = Option("url", .value(placeholder: "URL"), environment: "EMPORIUM_URL", "The running emporium (http only).")
    static let compare = Option(
        "compare",
        .value(placeholder: "PATTERN"),
        "Start two systems, without and with PATTERN (cache, transport, replicas, payments-latency), and compare."
    )
    static let users = Option("users", .value(placeholder: "N"), "Virtual shoppers, each on its own connection (default 10).")
    static let duration = Option("duration", .value(placeholder: "D"), "How long the shoppers shop: 20s, 1500ms, 5m (default 30s).")
    static let think = Option(
        "think",
        .value(placeholder: "MIN[-MAX]"),
        "The pause between a shopper's steps, random within the range (default 500ms-1s; 0ms for a stress run)."
    )
    static let allowShed = Option(
        "allow-shed",
        .flag,
        "Count refusals (429, or 503 with Retry-After: shed for overload, or a service not taking calls) as expected."
    )
    static let json = Option("json", .flag, "Print the report as one JSON object on stdout.")
    static let record = Option(
        "record",
        .value(placeholder: "FILE"),
        "Append every checkout's answer (status, order id and total) and every stock adjustment to FILE as JSON lines."
    )
    static let options = [url, compare, users, duration, think, allowShed, record, json, AuditCommand.email, AuditCommand.password, Options.data]

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        let settings = LoadSettings(
            users: try arguments.value(users, expected: "a number of users (1-10000)") { Int($0).flatMap { (1...10_000).contains($0) ? $0 : nil } }
                ?? 10,
            duration: try arguments.value(duration, expected: "a duration such as 20s, 1500ms or 5m (at most 1h)") { text in
                Self.duration(text).flatMap { $0 > .zero ? $0 : nil }
            } ?? .seconds(30),
            think: try arguments.value(think, expected: "a pause or a range of pauses such as 0ms, 1s or 500ms-1s", Self.thinkRange)
                ?? .milliseconds(500)...(.seconds(1)),
            allowShed: arguments.isSet(allowShed)
        )
        let wantsJSON = arguments.isSet(json)
        if let (text, source) = arguments.value(compare) {
            guard arguments.value(url)?.source.isEnvironment ?? true else { throw CLIError(.usage, "--url and --compare exclude each other") }
            guard let pattern = ComparePattern(rawValue: text) else {
                throw CLIError(
                    source.exitCode,
                    "\(source): '\(text)' is not a pattern to compare",
                    hint: "patterns: \(ComparePattern.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            guard arguments.value(record) == nil else { throw CLIError(.usage, "--record and --compare exclude each other") }
            return try await comparison(pattern, settings: settings, json: wantsJSON)
        }
        guard let (text, source) = arguments.value(url) else {
            throw CLIError(.usage, "load needs --url URL of a running emporium, or --compare PATTERN", hint: "see 'emporium help load'")
        }
        guard let (host, port) = Demo.address(of: text) else {
            throw CLIError(source.exitCode, "\(source): '\(text)' is not an http URL with a host this machine can resolve")
        }
        var recorded = settings
        if let (path, _) = arguments.value(record) { recorded.journal = try LoadJournal(path: path) }
        let run = LoadRun(url: text, host: host, port: port, settings: recorded, administrator: try AuditCommand.credentials(arguments))
        let report = try await run.run(progress: true)
        if wantsJSON {
            Console.out(try report.json())
        } else {
            for line in report.lines { Console.out(line) }
        }
        return report.passed ? .success : .failure
    }

    /// Each side of `pattern` on a system of its own, one after the other.
    private static func comparison(_ pattern: ComparePattern, settings: LoadSettings, json: Bool) async throws -> ExitCode {
        var sides: [LoadComparison.Side] = []
        for (index, side) in pattern.sides.enumerated() {
            let name = index == 0 ? "A" : "B"
            Console.error("\(name): starting emporium serve \(side.flags.joined(separator: " "))".trimmingCharacters(in: .whitespaces) + " ...")
            let child = try await ServedChild(extra: side.flags)
            do {
                let run = LoadRun(
                    url: child.url,
                    host: "127.0.0.1",
                    port: child.port,
                    settings: settings,
                    administrator: AuditCommand.Credentials(email: "admin@emporium.local", password: try child.adminPassword),
                    progressLabel: "\(name): "
                )
                let report = try await run.run(progress: true)
                // The directory is gone once the child stops; the report names what it was.
                let serve = child.arguments.map { $0 == child.dataDirectory ? "<temporary directory>" : $0 }
                sides.append(LoadComparison.Side(label: side.label, serve: serve, report: report))
                await child.stop()
            } catch {
                await child.stop()
                throw error
            }
        }
        let comparison = LoadComparison(pattern: pattern, sides: sides)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Console.out(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else {
            for line in comparison.lines { Console.out(line) }
        }
        return comparison.passed ? .success : .failure
    }

    /// `20s`, `1500ms`, `250us`, `5m`: at most an hour.
    static func duration(_ text: String) -> Duration? {
        if text.hasSuffix("m"), let minutes = Double(text.dropLast()), minutes >= 0, minutes <= 60 {
            return .nanoseconds(Int64(minutes * 60e9))
        }
        return Options.duration(text)
    }

    /// `0ms`, `1s`, `500ms-1s`: the shortest and longest pause.
    static func thinkRange(_ text: String) -> ClosedRange<Duration>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let low = duration(parts[0]) else { return nil }
        let high = parts.count == 2 ? duration(parts[1]) : low
        guard let high, low <= high else { return nil }
        return low...high
    }
}

extension ValueSource {
    fileprivate var isEnvironment: Bool {
        if case .environment = self { return true }
        return false
    }
}
