/// A minimal HTTP/1.1 client: keep-alive connections to numeric addresses, driven by one event loop thread of its
/// own.
///
/// ```swift
/// let client = try HTTPClient()
/// defer { client.shutdown() }
/// let connection = try await client.connect(port: 8080)
/// let response = try await connection.send(.get, "/health")
/// ```
public final class HTTPClient: Sendable {
    private let loop: EventLoop

    /// Starts the client's event loop.
    /// - Throws: ``SocketError`` when the loop cannot be created.
    public init() throws {
        loop = try EventLoop(name: "http-client", tickInterval: .milliseconds(20))
        try loop.start()
    }

    deinit {
        shutdown()
    }

    /// The client's event loop as an executor: a task that prefers it (`Task(executorPreference:)`) runs on the loop's
    /// thread, so that its requests and their answers reach it without a hop between threads.
    public var executor: any TaskExecutor { loop }

    /// Suspends the calling task for `duration` (to the next millisecond), or until it is cancelled, on the client's
    /// event loop's timer. For tasks that run on the loop (``executor``), a pause then takes no other thread: a
    /// thousand shoppers pausing between requests cost no timer thread and no hops.
    public func sleep(for duration: Duration) async {
        await loop.sleep(until: EventLoop.monotonicNow() &+ EventLoop.nanoseconds(duration))
    }

    /// Opens a connection.
    /// - Parameters:
    ///   - host: A numeric IPv4 or IPv6 address; `127.0.0.1` by default.
    ///   - port: The port.
    ///   - timeout: The longest the connection may take to establish.
    /// - Throws: ``HTTPClientError``.
    public func connect(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(10)) async throws -> HTTPClientConnection {
        let loop = loop
        return try await withTaskExecutorPreference(loop) {
            try await Self.open(loop: loop, host: host, port: port, timeout: timeout)
        }
    }

    /// Closes every connection and stops the loop; connections opened from this client fail afterwards.
    public func shutdown() {
        let loop = loop
        loop.execute {
            loop.forEachHandler { $0.forceClose() }
            loop.requestStop()
        }
    }

    private static func open(loop: EventLoop, host: String, port: Int, timeout: Duration) async throws -> HTTPClientConnection {
        let socket: ClientSocket
        do {
            let fd = try Socket.connect(host: host, port: port)
            socket = try ClientSocket(loop: loop, connecting: fd)
        } catch {
            throw HTTPClientError.connectFailed(error)
        }
        let connected = await socket.wait(timeout: timeout) { socket.isConnected || socket.isClosed }
        guard connected else {
            socket.closeNow()
            throw HTTPClientError.timedOut
        }
        guard socket.isConnected, !socket.isClosed else {
            throw HTTPClientError.connectFailed(SocketError(operation: "connect", code: socket.failure))
        }
        let hostField = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return HTTPClientConnection(socket: socket, loop: loop, hostField: hostField)
    }
}
