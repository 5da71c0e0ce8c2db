import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// A listening socket on one loop: accepts connections and hands them to the loop's ``ServerLoopContext``.
final class Listener: IOHandler, @unchecked Sendable {
    private unowned let context: ServerLoopContext
    private let ownsSocket: Bool
    private let exclusive: Bool
    private var resumeAt: UInt64 = 0

    /// - Parameters:
    ///   - ownsSocket: Whether this listener closes the socket when it stops (one socket per loop), or the server
    ///     does once every loop stopped watching it (a socket shared by the loops).
    ///   - exclusive: Whether the socket is shared by several loops and registered with `EPOLLEXCLUSIVE`.
    init(context: ServerLoopContext, fd: CInt, ownsSocket: Bool, exclusive: Bool) {
        self.context = context
        self.ownsSocket = ownsSocket
        self.exclusive = exclusive
        super.init(loop: context.loop, fd: fd)
    }

    func start() throws(SocketError) {
        try loop.register(self, interest: .readable, exclusive: exclusive)
    }

    override func readable() {
        // A bounded batch, so a connection storm cannot starve the connections already open. A shared socket takes
        // one connection per wake-up, so that a burst is spread over the loops instead of landing on the first.
        for _ in 0..<(exclusive ? 1 : 64) {
            guard let (fd, peer) = Socket.accept(fd) else {
                let code = errno
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: the pending connection stays queued and would wake us forever.
                    pause()
                    context.shared.logger.warning("accept paused: \(SocketError(operation: "accept", code: code))")
                }
                return
            }
            context.accept(fd: fd, peer: peer)
        }
    }

    private func pause() {
        loop.selector.deregister(fd)
        resumeAt = loop.now + 100_000_000
    }

    override func tick(now: UInt64) {
        guard resumeAt != 0, now >= resumeAt else { return }
        resumeAt = 0
        try? loop.selector.register(fd, token: token, interest: .readable, exclusive: exclusive)
    }

    /// Stops accepting.
    func stop() {
        guard slot >= 0 else { return }
        loop.deregister(self)
        if ownsSocket { close(fd) }
        fd = -1
    }

    override func beginShutdown() {
        stop()
    }
}
