import Foundation
import Telemetry
import TestSupport
import Testing

/// Checks the exposition with Prometheus's own parser and linter, `promtool check metrics`.
///
/// Without promtool the test is skipped locally, and fails on CI (when `CI` is set), so a CI machine
/// without promtool cannot silently pass.
@Suite struct PromtoolTests {
    static let promtool: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/promtool" } + ["/usr/bin/promtool"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.enabled(if: promtool != nil || isCI, "promtool is not installed (Debian package prometheus)"))
    func expositionPassesPromtoolCheckMetrics() throws {
        guard let promtool = Self.promtool else {
            Issue.record("promtool is required when CI is set: install the Debian package prometheus")
            return
        }
        let registry = MetricsRegistry()
        registry.makeCounter(
            name: "emporium_http_requests_total",
            labels: [("route", "/products/\"featured\""), ("method", "GET")],
            help: "HTTP requests served.\nCounted when the response is sent; path \\ method."
        ).increment(by: 41)
        registry.makeCounter(
            name: "emporium_http_requests_total",
            labels: [("route", "C:\\odd\nroute"), ("method", "POST")],
            help: "ignored: the first help text wins"
        ).increment(by: 2.5)
        registry.makeGauge(name: "emporium_outbox_backlog", help: "Events waiting in the outbox.").set(to: 12)
        registry.makeGauge(name: "emporium_breaker_open_ratio", labels: [("dependency", "payments")], help: "Share of open breakers.")
            .set(to: .infinity)
        let latency = registry.makeHistogram(
            name: "emporium_http_request_duration_seconds",
            labels: [("route", "/products/\"featured\"")],
            help: "HTTP request latency."
        )
        for milliseconds in [1, 7, 30, 120, 800, 3_000, 20_000] {
            latency.record(.milliseconds(milliseconds))
        }
        registry.makeHistogram(name: "emporium_event_handling_seconds", buckets: [0.5, 1, .infinity], help: "Handler time.")
            .record(0.75)

        let exposition = registry.exposition()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).prom")
        try exposition.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let (status, report) = try Subprocess.run(promtool.path, ["check", "metrics"], input: file.path)
        #expect(status == 0, "promtool exited with \(status): \(report)\n\(exposition)")
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool reported: \(report)\n\(exposition)")
    }
}
