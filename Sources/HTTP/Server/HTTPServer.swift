import Synchronization
public import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on non-blocking sockets: one event loop thread per core, each running its connections'
/// tasks itself.
///
/// Each loop is a `TaskExecutor`; a connection's task prefers the loop that accepted it, so parsing, the
/// responder and writing the response run on that thread without hops or locks. Keep-alive, pipelining (answered
/// in order), chunked request bodies, `Expect: 100-continue`, `HEAD`, HTTP/1.0, timeouts, a connection cap and
/// graceful shutdown are handled here; see ``Configuration`` for the knobs.
///
/// ```swift
/// var router = HTTPRouter()
/// router.get("/health") { _, _ in .text("ok") }
/// let server = HTTPServer(configuration: .init(port: 0), responder: router)
/// let port = try server.start()
/// // ...
/// await server.shutdown()
/// ```
///
/// In a service, call ``run()``: it starts the server if needed and returns once ``shutdown()`` has finished; it
/// shuts down when its task is cancelled.
public final class HTTPServer: Sendable {
    private struct Running {
        var loops: [EventLoop]
        var contexts: [ServerLoopContext]
        var sharedSocket: CInt?
        var port: Int
    }

    private enum Phase {
        case idle
        case running(Running)
        case stopping
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var runningLoops = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var port: Int?
    }

    private let shared: ServerShared
    private let state = Mutex(State())

    /// Creates a server; nothing is bound until ``start()`` or ``run()``.
    /// - Parameters:
    ///   - configuration: Address, limits, timeouts and tuning.
    ///   - responder: Answers every request; an ``HTTPRouter`` or any ``HTTPResponder``.
    ///   - logger: Receives handler failures and accept problems.
    ///   - metrics: Where the server's counters are registered, if anywhere.
    public init(
        configuration: Configuration = Configuration(),
        responder: some HTTPResponder,
        logger: Logger = Logger(label: "http"),
        metrics: MetricsRegistry? = nil
    ) {
        precondition(configuration.eventLoopCount > 0, "a server needs at least one event loop")
        shared = ServerShared(
            configuration: configuration,
            responder: responder,
            logger: logger,
            metrics: metrics.map(ServerMetrics.init(registry:))
        )
    }

    /// The configuration the server runs with.
    public var configuration: Configuration { shared.configuration }

    /// The bound port once started, else `nil`.
    public var port: Int? { state.withLock { $0.port } }

    /// The number of open connections, across loops.
    public var connectionCount: Int { shared.connectionCount.load(ordering: .relaxed) }

    /// Binds the listening socket(s) and starts the event loops.
    /// - Returns: The bound port: the configured one, or the ephemeral port picked for port 0.
    /// - Throws: ``SocketError`` when binding fails, or a precondition failure when already started.
    @discardableResult
    public func start() throws -> Int {
        let configuration = shared.configuration
        var loops: [EventLoop] = []
        var contexts: [ServerLoopContext] = []
        var sockets: [CInt] = []
        var sharedSocket: CInt?
        var port = configuration.port
        do {
            if configuration.acceptStrategy == .reusePort {
                port = try Socket.reserve(host: configuration.host, port: port)
            }
            for index in 0..<configuration.eventLoopCount {
                let loop = try EventLoop(name: "http-loop-\(index)", tickInterval: shared.tickInterval)
                let context = ServerLoopContext(shared: shared, loop: loop)
                loop.onTick = { context.tick() }
                loop.onExit = { [self] in loopExited() }
                let fd: CInt
                switch configuration.acceptStrategy {
                case .reusePort:
                    (fd, port) = try Socket.listen(host: configuration.host, port: port, reusePort: true, backlog: configuration.backlog)
                    sockets.append(fd)
                case .sharedListener:
                    if sharedSocket == nil {
                        let listening = try Socket.listen(host: configuration.host, port: port, reusePort: false, backlog: configuration.backlog)
                        (sharedSocket, port) = (listening.fd, listening.port)
                        sockets.append(listening.fd)
                    }
                    fd = sharedSocket!
                }
                let listener = Listener(
                    context: context,
                    fd: fd,
                    ownsSocket: configuration.acceptStrategy == .reusePort,
                    exclusive: configuration.acceptStrategy == .sharedListener
                )
                // The loop's thread has not started: registering from here is not concurrent with it.
                try listener.start()
                context.listener = listener
                loops.append(loop)
                contexts.append(context)
            }
        } catch {
            for fd in sockets { close(fd) }
            throw error
        }
        let running = Running(loops: loops, contexts: contexts, sharedSocket: sharedSocket, port: port)
        state.withLock { state in
            guard case .idle = state.phase else { preconditionFailure("HTTPServer.start() called twice") }
            state.phase = .running(running)
            state.runningLoops = loops.count
            state.port = port
        }
        for loop in loops {
            try loop.start()
        }
        return port
    }

    /// Starts the server unless it is started, then waits until it has shut down. Cancelling the calling task
    /// shuts the server down.
    /// - Throws: ``SocketError`` when binding fails.
    public func run() async throws {
        let needsStart = state.withLock { state in
            if case .idle = state.phase { return true }
            return false
        }
        if needsStart { try start() }
        await withTaskCancellationHandler {
            await waitUntilStopped()
        } onCancel: {
            Task { await self.shutdown() }
        }
    }

    /// Shuts down gracefully and returns once every loop has stopped: stops accepting (new connections are
    /// refused), closes idle keep-alive connections, lets in-flight requests finish with `Connection: close`, and
    /// closes whatever is left after ``Configuration/shutdownGracePeriod``. Calling it again just waits.
    public func shutdown() async {
        let running: Running? = state.withLock { state in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                return nil
            case .running(let running):
                state.phase = .stopping
                return running
            case .stopping, .stopped:
                return nil
            }
        }
        if let running {
            if let socket = running.sharedSocket {
                // Every loop must stop watching the shared socket before it is closed and its number reused.
                for context in running.contexts {
                    await context.loop.submit { context.stopAccepting() }
                }
                close(socket)
            }
            let gracePeriod = shared.configuration.shutdownGracePeriod
            for context in running.contexts {
                context.loop.execute { context.beginShutdown(gracePeriod: gracePeriod) }
            }
        }
        await waitUntilStopped()
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let stopped = state.withLock { state in
                if case .stopped = state.phase { return true }
                state.waiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    private func loopExited() {
        let waiters = state.withLock { state in
            state.runningLoops -= 1
            guard state.runningLoops == 0 else { return [CheckedContinuation<Void, Never>]() }
            state.phase = .stopped
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

extension HTTPServer {
    /// Creates a server whose requests are all answered by one closure.
    /// - Parameters:
    ///   - configuration: Address, limits, timeouts and tuning.
    ///   - logger: Receives handler failures and accept problems.
    ///   - metrics: Where the server's counters are registered, if anywhere.
    ///   - handler: Makes the response to every request.
    public convenience init(
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "http"),
        metrics: MetricsRegistry? = nil,
        handler: @escaping @Sendable (HTTPRequest, HTTPRequestContext) async throws -> HTTPResponse
    ) {
        self.init(configuration: configuration, responder: HTTPClosureResponder(handler), logger: logger, metrics: metrics)
    }
}
