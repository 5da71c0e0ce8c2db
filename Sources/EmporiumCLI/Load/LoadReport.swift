import Foundation

/// What `emporium load` measured in one run, as printed and as `--json` writes it. Latencies are in milliseconds, of
/// the answers that were not refusals (what an admitted request costs); the refusals' own are `refusedLatencyMs`.
struct LoadReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double
        var mean: Double

        init(_ histogram: LatencyHistogram) {
            p50 = Self.milliseconds(histogram.percentile(0.50))
            p90 = Self.milliseconds(histogram.percentile(0.90))
            p99 = Self.milliseconds(histogram.percentile(0.99))
            max = Self.milliseconds(histogram.maximumMicroseconds)
            mean = histogram.meanMicroseconds.rounded() / 1000
        }

        private static func milliseconds(_ microseconds: UInt64) -> Double {
            Double(microseconds) / 1000
        }
    }

    struct Step: Codable, Sendable {
        var step: String
        var requests: Int
        var perSecond: Double
        /// The statuses that count as expected.
        var expected: [Int]
        /// Answers by status, refusals included.
        var statuses: [String: Int]
        /// Refusals: `429`, or `503` with `Retry-After`.
        var refused: Int
        /// Requests without an answer (refused, reset, timed out).
        var noAnswer: Int
        var unexpected: Int
        var latencyMs: Latency
    }

    var url: String
    var users: Int
    /// From the first shopper's start to the last one's end.
    var seconds: Double
    var thinkMs: ClosedRange<Double>
    var requests: Int
    var requestsPerSecond: Double
    var latencyMs: Latency
    /// Checkouts answered `201` or `202`.
    var checkouts: Int
    var checkoutsPerSecond: Double
    /// Checkouts whose shopper found the last order's units still in the cart (the saga takes them out after
    /// answering `202`) and read the cart again (`cart-check`) until they had left, rather than buy them twice.
    var checkoutsWaitingForCart: Int
    /// Requests turned away for now (`429`, `503` with `Retry-After`), and how long that took.
    var refused: Int
    var refusedLatencyMs: Latency
    /// Requests with an unexpected answer or none.
    var unexpected: Int
    /// The first few of them, as sentences.
    var unexpectedSamples: [String]
    var steps: [Step]
    /// The shoppers' orders by status, read from `GET /api/v1/orders` after the run.
    var orders: [String: Int]
    /// Products this run gave stock to before it started.
    var restockedProducts: Int
    var audit: AuditCommand.Report?
    /// Why the run failed, as sentences; empty when it passed.
    var problems: [String]
    var passed: Bool

    init(
        url: String,
        users: Int,
        elapsed: Duration,
        think: ClosedRange<Duration>,
        tally: LoadTally,
        orders: [String: Int],
        restockedProducts: Int,
        audit: AuditCommand.Report?,
        problems: [String]
    ) {
        let seconds = max(elapsed / .seconds(1), 0.001)
        self.url = url
        self.users = users
        self.seconds = Self.rounded(seconds, 3)
        thinkMs = (think.lowerBound / .milliseconds(1))...(think.upperBound / .milliseconds(1))
        requests = tally.requests
        requestsPerSecond = Self.rounded(Double(tally.requests) / seconds, 1)
        var all = LatencyHistogram()
        for step in tally.steps { all.merge(step.latencies) }
        latencyMs = Latency(all)
        checkouts = tally.checkouts
        checkoutsPerSecond = Self.rounded(Double(tally.checkouts) / seconds, 1)
        checkoutsWaitingForCart = tally.waitsForCart
        refused = tally.refused
        refusedLatencyMs = Latency(tally.refusedLatencies)
        unexpected = tally.unexpected
        unexpectedSamples = tally.samples
        steps = LoadStep.allCases.compactMap { step in
            let counted = tally[step]
            guard counted.requests > 0 || LoadStep.mix.contains(where: { $0.step == step }) else { return nil }
            return Step(
                step: step.rawValue,
                requests: counted.requests,
                perSecond: Self.rounded(Double(counted.requests) / seconds, 1),
                expected: step.expectedStatuses,
                statuses: Dictionary(uniqueKeysWithValues: counted.statuses.map { ("\($0.key)", $0.value) }),
                refused: counted.refused,
                noAnswer: counted.noAnswer,
                unexpected: counted.unexpected,
                latencyMs: Latency(counted.latencies)
            )
        }
        self.orders = orders
        self.restockedProducts = restockedProducts
        self.audit = audit
        self.problems = problems
        passed = problems.isEmpty
    }

    /// The step's figures, by name.
    func step(_ step: LoadStep) -> Step? {
        steps.first { $0.step == step.rawValue }
    }

    /// One JSON object.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report for people.
    var lines: [String] {
        let think = thinkMs.upperBound == 0 ? "no think time" : "think \(Figures.number(thinkMs.lowerBound))-\(Figures.number(thinkMs.upperBound)) ms"
        var lines = ["load against \(url): \(users) users for \(Figures.number(seconds, decimals: 1)) s, \(think)"]
        if restockedProducts > 0 { lines.append("(stocked \(restockedProducts) products to buy before the run)") }
        lines.append("")
        let header = ["step", "requests", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms", "statuses (expected)"]
        var rows = [header]
        for step in steps {
            var statuses = step.statuses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }
            if step.noAnswer > 0 { statuses.append("no answer x\(step.noAnswer)") }
            let expected = " (\(step.expected.map(String.init).joined(separator: "/")))"
            rows.append(
                Self.row(
                    step.step,
                    step.requests,
                    step.perSecond,
                    step.latencyMs,
                    (statuses.isEmpty ? "-" : statuses.joined(separator: ", ")) + expected
                )
            )
        }
        rows.append(
            Self.row("all", requests, requestsPerSecond, latencyMs, unexpected == 0 ? "none unexpected" : "\(Figures.grouped(unexpected)) unexpected")
        )
        lines += Console.table(rows, indent: "  ", rightAligned: Set(1...6))
        lines.append("")
        lines.append("requests     \(Figures.grouped(requests)), \(Figures.number(requestsPerSecond, decimals: 1)) per second")
        if refused > 0 {
            let share = Figures.number(Double(refused) * 100 / Double(max(requests, 1)), decimals: 1)
            lines.append(
                "refused      \(Figures.grouped(refused)) (\(share) %: 429, or 503 with Retry-After), answered in p50 "
                    + "\(Figures.number(refusedLatencyMs.p50, decimals: 2)) ms, p99 \(Figures.number(refusedLatencyMs.p99, decimals: 2)) ms; "
                    + "the latencies above are of the other answers"
            )
        }
        lines.append("checkouts    \(Figures.grouped(checkouts)), \(Figures.number(checkoutsPerSecond, decimals: 1)) per second")
        if checkoutsWaitingForCart > 0 {
            lines.append(
                "             \(Figures.grouped(checkoutsWaitingForCart)) waited for the last order to leave the cart (cart-check steps)"
            )
        }
        let byState = orders.sorted { $0.value > $1.value }.map { "\($0.key) \(Figures.grouped($0.value))" }
        lines.append("orders       " + (byState.isEmpty ? "none" : byState.joined(separator: ", ")))
        if let audit {
            lines.append("audit        " + AuditCommand.lines(audit).joined(separator: "\n             "))
        }
        if !unexpectedSamples.isEmpty {
            lines.append("")
            lines.append("unexpected answers (the first \(unexpectedSamples.count)):")
            lines += unexpectedSamples.map { "  \($0)" }
        }
        lines.append("")
        lines.append(passed ? "passed" : "FAILED: " + problems.joined(separator: " "))
        return lines
    }

    private static func row(_ name: String, _ requests: Int, _ perSecond: Double, _ latency: Latency, _ statuses: String) -> [String] {
        let milliseconds = [latency.p50, latency.p90, latency.p99].map { Figures.number($0, decimals: 2) }
        return [name, Figures.grouped(requests), Figures.number(perSecond, decimals: 1)] + milliseconds + [
            Figures.number(latency.max, decimals: 1), statuses,
        ]
    }

    private static func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}

/// Numbers for people: `103,210`, `5,160.5`.
enum Figures {
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    static func number(_ value: Double, decimals: Int = 0) -> String {
        guard value.isFinite else { return "-" }
        let whole = Int(value.rounded(.towardZero))
        guard decimals > 0 else { return grouped(Int(value.rounded())) }
        let fraction = String(format: "%.\(decimals)f", abs(value - Double(whole)))
        // "0.96" → ".96"; a fraction that rounds up to "1.00" carries into the whole part.
        if fraction.hasPrefix("1") { return grouped(whole + (value < 0 ? -1 : 1)) + String(fraction.dropFirst()) }
        return (value < 0 && whole == 0 ? "-" : "") + grouped(whole) + String(fraction.dropFirst())
    }
}
