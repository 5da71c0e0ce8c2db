import Synchronization
import Telemetry

/// What the gateway refused, cheaply: a counter per route, method and reason, and at most one log line per
/// route and reason each `interval`, carrying how many were refused since the last. A flood of refusals then
/// costs a dictionary lookup and two increments each, not an access-log line.
final class RefusalLog: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
        var reason: String
    }

    private struct Entry {
        let requests: Counter
        let refusals: Counter
        var unlogged = 0
        var lastLogged: ContinuousClock.Instant?
    }

    private let metrics: MetricsRegistry
    private let interval: Duration
    private let entries = Mutex<[Key: Entry]>([:])

    init(metrics: MetricsRegistry, interval: Duration = .seconds(1)) {
        self.metrics = metrics
        self.interval = interval
    }

    /// Counts one refused request (in `emporium_http_requests_total` with its status too) and logs the refusals
    /// of its route and reason when the last line is `interval` old.
    func refused(route: String, method: String, status: Int, reason: String, logger: Logger) {
        let key = Key(route: route, method: method, status: status, reason: reason)
        let now = ContinuousClock.now
        let interval = interval
        let due = entries.withLock { entries -> Int? in
            var entry =
                entries[key]
                ?? Entry(
                    requests: metrics.makeCounter(
                        name: "emporium_http_requests_total",
                        labels: [("route", route), ("method", method), ("status", String(status))],
                        help: "Requests answered by the gateway, by route pattern, method and status."
                    ),
                    refusals: metrics.makeCounter(
                        name: "emporium_http_refusals_total",
                        labels: [("route", route), ("reason", reason)],
                        help: "Requests refused before any work (rate limit, overload), by route pattern and reason; logged in summary."
                    )
                )
            entry.requests.increment()
            entry.refusals.increment()
            entry.unlogged += 1
            defer { entries[key] = entry }
            if let last = entry.lastLogged, now - last < interval { return nil }
            defer {
                entry.unlogged = 0
                entry.lastLogged = now
            }
            return entry.unlogged
        }
        if let due {
            logger.info("requests refused", metadata: ["route": "\(route)", "reason": "\(reason)", "status": "\(status)", "count": "\(due)"])
        }
    }
}
