import Foundation
import HTTP
import ServiceKit
import Telemetry

extension Gateway {
    /// `/health` (liveness: the process answers), `/ready` (every service in the registry has an instance that
    /// takes calls, else 503 listing those that have none) and `/metrics` (Prometheus text 0.0.4); none traced.
    mutating func addOperationalRoutes() {
        let registry = client.registry
        let metrics = self.metrics
        // Probes and scrapes come every few seconds; traced, they would fill the trace store.
        for pattern in ["/health", "/ready", "/metrics"] { untraced.insert(pattern) }
        router.get("/health") { _, _ in
            HTTPResponse(
                status: .ok,
                headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                body: Array(#"{"status":"ok"}"#.utf8)
            )
        }
        router.get("/ready") { _, _ in
            // `discover` is what calls see: healthy instances with a recent heartbeat.
            let services = Set(registry.entries.map(\.instance.service)).sorted()
            let unavailable = services.filter { registry.discover($0).isEmpty }
            let report = Readiness(status: unavailable.isEmpty ? "ready" : "unavailable", services: services, unavailable: unavailable)
            let body = (try? JSONCoding.encoder().encode(report)).map { Array($0) } ?? []
            return HTTPResponse(
                status: unavailable.isEmpty ? .ok : .serviceUnavailable,
                headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                body: body
            )
        }
        router.get("/metrics") { _, _ in
            HTTPResponse(
                status: .ok,
                headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"],
                body: Array(metrics.exposition().utf8)
            )
        }
    }
}

/// The body of `/ready`.
private struct Readiness: Encodable {
    var status: String
    var services: [String]
    var unavailable: [String]
}
