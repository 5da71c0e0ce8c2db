#if canImport(Glibc)
import Glibc
#endif

extension HTTPServer {
    /// Every limit, timeout and tuning knob of a server in one value.
    ///
    /// ```swift
    /// var configuration = HTTPServer.Configuration(port: 0)   // an ephemeral port
    /// configuration.headerReadTimeout = .seconds(5)
    /// configuration.limits.maxBodySize = 8 << 20
    /// ```
    public struct Configuration: Sendable {
        /// How connections are spread over the event loops.
        public enum AcceptStrategy: Hashable, Sendable {
            /// A listening socket per loop bound with `SO_REUSEPORT`: the kernel spreads connections over the
            /// loops by a hash of the address pair, evenly even for a burst of keep-alive connections, with no
            /// shared accept queue and no wake-up contention. ``HTTPServer/start()`` first checks that nothing else
            /// listens on the port, so a second instance fails to start instead of sharing the port. The default.
            case reusePort
            /// One listening socket watched by every loop with `EPOLLEXCLUSIVE`, one connection per wake-up: a loop
            /// waiting for work accepts, which follows uneven load; measured equal to ``reusePort`` on two cores.
            case sharedListener
        }

        /// The numeric address to bind: `127.0.0.1` by default, `0.0.0.0` or `::` for every interface.
        public var host: String
        /// The port to bind; 0 picks an ephemeral port that ``HTTPServer/start()`` returns.
        public var port: Int
        /// The number of event loop threads, one per core by default.
        public var eventLoopCount: Int
        /// How connections are spread over the loops.
        public var acceptStrategy: AcceptStrategy
        /// The length of each listening socket's accept queue.
        public var backlog: Int
        /// Size limits of the request parser.
        public var limits: HTTPParserLimits
        /// How long a client has to send a complete request head, from connecting or from the first byte of a
        /// later request; a slow client (slowloris) is disconnected without a response. 10 s by default.
        public var headerReadTimeout: Duration
        /// How long a keep-alive connection may wait for its next request before it is closed. 60 s by default.
        public var idleTimeout: Duration
        /// The longest pause while reading a request body; a client that stalls longer gets `408` and the
        /// connection closes. 30 s by default.
        public var bodyReadTimeout: Duration
        /// The most open connections; a connection beyond it gets `503 Service Unavailable` and is closed.
        public var maxConnections: Int
        /// How long ``HTTPServer/shutdown()`` lets in-flight requests finish before closing their connections.
        public var shutdownGracePeriod: Duration
        /// How many response bytes may wait for a slow reader before the connection stops reading requests and a
        /// streaming body's writes wait. 256 KiB by default.
        public var maxPendingOutput: Int
        /// The response to a request the parser rejected; the connection closes after it. A plain-text body with
        /// the status line by default; the gateway replaces it with problem+json.
        public var errorResponder: @Sendable (HTTPParserError) -> HTTPResponse

        /// Creates a configuration; every other property starts at its documented default.
        /// - Parameters:
        ///   - host: The numeric address to bind.
        ///   - port: The port, 0 for an ephemeral one.
        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
            eventLoopCount = max(1, Int(sysconf(CInt(_SC_NPROCESSORS_ONLN))))
            acceptStrategy = .reusePort
            backlog = 1024
            limits = .default
            headerReadTimeout = .seconds(10)
            idleTimeout = .seconds(60)
            bodyReadTimeout = .seconds(30)
            maxConnections = 10_000
            shutdownGracePeriod = .seconds(10)
            maxPendingOutput = 256 * 1024
            errorResponder = Self.plainTextErrorResponse
        }

        /// The default ``errorResponder``: `text/plain` with the status, for example `400 Bad Request`.
        /// - Parameter error: The parser's verdict.
        @Sendable
        public static func plainTextErrorResponse(_ error: HTTPParserError) -> HTTPResponse {
            .text("\(error.status)\n", status: error.status)
        }
    }
}
