import Emporium

/// A pattern `emporium load --compare` switches: the same mix against a system started without it (A) and with it
/// (B), each on a fresh data directory.
enum ComparePattern: String, CaseIterable, Sendable {
    case cache
    case transport
    case replicas
    case paymentsLatency = "payments-latency"

    /// What each side is, and the `serve` flags that make it so.
    var sides: [(label: String, flags: [String])] {
        switch self {
        case .cache: [("response cache on", []), ("response cache off", ["--no-response-cache"])]
        case .transport: [("direct transport", []), ("serialized transport", ["--transport", "serialized"])]
        case .replicas:
            [("1 instance each", []), ("3 instances each", ["--replicas", Emporium.moduleNames.map { "\($0)=3" }.joined(separator: ",")])]
        case .paymentsLatency: [("no fault", []), ("payments 50 ms slower", ["--fault", "payments=latency:50ms"])]
        }
    }
}

/// Two load runs of one pattern, side by side.
struct LoadComparison: Codable, Sendable {
    struct Side: Codable, Sendable {
        var label: String
        /// The `emporium` arguments of the system it ran against.
        var serve: [String]
        var report: LoadReport
    }

    /// One compared figure: A, B and B ÷ A.
    struct Figure: Codable, Sendable {
        var figure: String
        var a: Double
        var b: Double
        var ratio: Double?
    }

    var pattern: String
    var sides: [Side]
    var figures: [Figure]
    var passed: Bool

    init(pattern: ComparePattern, sides: [Side]) {
        self.pattern = pattern.rawValue
        self.sides = sides
        passed = sides.allSatisfy(\.report.passed)
        let (a, b) = (sides[0].report, sides[1].report)
        var figures = [
            Figure(figure: "requests/s", a: a.requestsPerSecond, b: b.requestsPerSecond),
            Figure(figure: "checkouts/s", a: a.checkoutsPerSecond, b: b.checkoutsPerSecond),
            Figure(figure: "all p50 ms", a: a.latencyMs.p50, b: b.latencyMs.p50),
            Figure(figure: "all p90 ms", a: a.latencyMs.p90, b: b.latencyMs.p90),
            Figure(figure: "all p99 ms", a: a.latencyMs.p99, b: b.latencyMs.p99),
        ]
        for step in LoadStep.mix.map(\.step) {
            guard let left = a.step(step), let right = b.step(step) else { continue }
            figures.append(Figure(figure: "\(step.rawValue) p50 ms", a: left.latencyMs.p50, b: right.latencyMs.p50))
            figures.append(Figure(figure: "\(step.rawValue) p99 ms", a: left.latencyMs.p99, b: right.latencyMs.p99))
        }
        figures.append(Figure(figure: "unexpected", a: Double(a.unexpected), b: Double(b.unexpected)))
        figures.append(Figure(figure: "audit violations", a: Double(a.audit?.violations.count ?? 0), b: Double(b.audit?.violations.count ?? 0)))
        self.figures = figures.map { figure in
            var figure = figure
            figure.ratio = figure.a > 0 ? (figure.b / figure.a * 100).rounded() / 100 : nil
            return figure
        }
    }

    /// The comparison for people.
    var lines: [String] {
        let (a, b) = (sides[0], sides[1])
        var lines = [
            "emporium load --compare \(pattern): \(a.report.users) users for about \(Figures.number(a.report.seconds, decimals: 1)) s against each",
            "  A: \(a.label)  (emporium \(a.serve.joined(separator: " ")))",
            "  B: \(b.label)  (emporium \(b.serve.joined(separator: " ")))",
            "",
        ]
        var rows = [["figure", "A", "B", "B/A"]]
        for figure in figures {
            let decimals = figure.figure.hasSuffix("ms") ? 2 : (figure.figure.hasSuffix("/s") ? 1 : 0)
            rows.append([
                figure.figure, Figures.number(figure.a, decimals: decimals), Figures.number(figure.b, decimals: decimals),
                figure.ratio.map { Figures.number($0, decimals: 2) } ?? "-",
            ])
        }
        lines += Console.table(rows, indent: "  ", rightAligned: [1, 2, 3])
        for (name, side) in [("A", a), ("B", b)] {
            lines.append("")
            let orders = side.report.orders.sorted { $0.value > $1.value }.map { "\($0.key) \(Figures.grouped($0.value))" }
            lines.append("\(name): orders " + (orders.isEmpty ? "none" : orders.joined(separator: ", ")))
            if let audit = side.report.audit { lines.append("\(name): audit " + AuditCommand.lines(audit).joined(separator: "; ")) }
            lines += side.report.unexpectedSamples.map { "\(name): unexpected: \($0)" }
            lines.append("\(name): " + (side.report.passed ? "passed" : "FAILED: " + side.report.problems.joined(separator: " ")))
        }
        return lines
    }
}
