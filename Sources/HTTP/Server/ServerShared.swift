import Synchronization
import Telemetry

/// What every loop of a server shares: configuration, responder, logger, metrics and the connection count.
final class ServerShared: Sendable {
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    let logger: Logger
    let metrics: ServerMetrics?
    let connectionCount = Atomic<Int>(0)
    let nextConnectionID = Atomic<UInt64>(1)
    let headerTimeout: UInt64
    let idleTimeout: UInt64
    let bodyTimeout: UInt64
    /// How long a closing connection keeps reading (and discarding) so the peer receives the last response instead
    /// of a reset.
    let lingerTimeout: UInt64 = 2_000_000_000
    /// Unparsed request bytes a busy connection buffers before it stops reading.
    let maxBufferedInput = 256 * 1024

    init(configuration: HTTPServer.Configuration, responder: any HTTPResponder, logger: Logger, metrics: ServerMetrics?) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
        headerTimeout = EventLoop.nanoseconds(configuration.headerReadTimeout)
        idleTimeout = EventLoop.nanoseconds(configuration.idleTimeout)
        bodyTimeout = EventLoop.nanoseconds(configuration.bodyReadTimeout)
    }

    /// The tick of the loops: a quarter of the shortest timeout, between 10 ms and 250 ms.
    var tickInterval: Duration {
        let shortest = min(configuration.headerReadTimeout, configuration.idleTimeout, configuration.bodyReadTimeout)
        return min(max(shortest / 4, .milliseconds(10)), .milliseconds(250))
    }
}

/// The server's counters in a ``MetricsRegistry``. Loops count locally and add their counts once per tick, so the
/// request path touches no shared cache line.
struct ServerMetrics: Sendable {
    let requests: Counter
    let connections: Counter
    let rejectedConnections: Counter
    let parserErrors: Counter
    let timeouts: Counter

    init(registry: MetricsRegistry) {
        requests = registry.makeCounter(name: "http_server_requests_total", help: "Requests answered by the HTTP server.")
        connections = registry.makeCounter(name: "http_server_connections_total", help: "Connections accepted.")
        rejectedConnections = registry.makeCounter(
            name: "http_server_rejected_connections_total",
            help: "Connections refused with 503 because the connection cap was reached."
        )
        parserErrors = registry.makeCounter(name: "http_server_parser_errors_total", help: "Requests rejected by the parser.")
        timeouts = registry.makeCounter(name: "http_server_timeouts_total", help: "Connections closed by a read timeout.")
    }
}
