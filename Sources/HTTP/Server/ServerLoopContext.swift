import Synchronization
import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// A server's state on one event loop: its listener, local counters and shutdown progress. Loop-confined.
final class ServerLoopContext: @unchecked Sendable {
    // Touched on `loop`'s thread only, except the immutable `shared` and `loop`.
    struct Counts {
        var requests = 0
        var connections = 0
        var rejected = 0
        var parserErrors = 0
        var timeouts = 0
    }

    let shared: ServerShared
    let loop: EventLoop
    var counts = Counts()
    var listener: Listener?
    private(set) var isShuttingDown = false
    private var forceCloseAt = UInt64.max

    init(shared: ServerShared, loop: EventLoop) {
        self.shared = shared
        self.loop = loop
    }

    /// Takes a freshly accepted connection: serves it, or answers 503 beyond the connection cap.
    func accept(fd: CInt, peer: HTTPSocketAddress) {
        Socket.setNoDelay(fd)
        Socket.setReceiveTimestamps(fd)
        let count = shared.connectionCount.add(1, ordering: .relaxed).newValue
        guard count <= shared.configuration.maxConnections, !isShuttingDown else {
            shared.connectionCount.subtract(1, ordering: .relaxed)
            counts.rejected += 1
            RejectedConnection.reject(fd: fd, loop: loop, lingerTimeout: shared.lingerTimeout)
            return
        }
        let id = shared.nextConnectionID.add(1, ordering: .relaxed).newValue
        let connection = ServerConnection(context: self, fd: fd, peer: peer, id: id)
        do {
            try loop.register(connection, interest: .readable)
        } catch {
            close(fd)
            shared.connectionCount.subtract(1, ordering: .relaxed)
            return
        }
        counts.connections += 1
        loop.liveTasks += 1
        Task(executorPreference: loop) {
            await connection.serve()
        }
    }

    /// A served connection closed.
    func connectionClosed() {
        shared.connectionCount.subtract(1, ordering: .relaxed)
    }

    /// Stops accepting: the listener leaves the selector and, if it owns its socket, closes it.
    func stopAccepting() {
        listener?.stop()
        listener = nil
    }

    /// Graceful shutdown: no new connections, idle connections close, busy ones close after their response; at
    /// the deadline everything left is closed.
    func beginShutdown(gracePeriod: Duration) {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        stopAccepting()
        forceCloseAt = loop.now &+ EventLoop.nanoseconds(gracePeriod)
        loop.forEachHandler { $0.beginShutdown() }
        loop.requestStop()
    }

    /// Runs on every loop tick: publishes the counts and enforces the shutdown deadline.
    func tick() {
        if let metrics = shared.metrics {
            if counts.requests > 0 { metrics.requests.increment(by: counts.requests) }
            if counts.connections > 0 { metrics.connections.increment(by: counts.connections) }
            if counts.rejected > 0 { metrics.rejectedConnections.increment(by: counts.rejected) }
            if counts.parserErrors > 0 { metrics.parserErrors.increment(by: counts.parserErrors) }
            if counts.timeouts > 0 { metrics.timeouts.increment(by: counts.timeouts) }
        }
        counts = Counts()
        if isShuttingDown && loop.now >= forceCloseAt {
            forceCloseAt = .max
            loop.forEachHandler { $0.forceClose() }
            loop.abandonTasks()
        }
    }
}
