/// A descriptor registered with an ``EventLoop``: a listener or a connection.
///
/// Subclasses override the event methods they need. The loop keeps every registered handler alive, and keeps a
/// closed one until the end of the loop iteration, so an event still queued for it finds a live object that ignores
/// it.
class IOHandler: @unchecked Sendable {
    // All state here and in subclasses is touched on `loop`'s thread only: event callbacks run there, and tasks that
    // touch a handler prefer `loop` as their task executor.
    let loop: EventLoop
    /// The descriptor, or -1 once closed.
    var fd: CInt
    /// The index in the loop's handler list while registered, else -1.
    var slot = -1
    /// What the descriptor is watched for.
    var interest: IOInterest = []
    /// Whether the handler waits in the loop's flush queue.
    var flushScheduled = false

    init(loop: EventLoop, fd: CInt) {
        self.loop = loop
        self.fd = fd
    }

    /// The epoll token: the handler's address, valid while the loop holds it.
    var token: UInt64 { UInt64(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque())) }

    /// The descriptor has bytes, an end of file or an error to read.
    func readable() {}
    /// The descriptor accepts more bytes, or has an error to report.
    func writable() {}
    /// Called once per loop tick with the loop's monotonic time, to enforce timeouts.
    func tick(now: UInt64) {}
    /// Called after the loop ran its jobs, for handlers that asked with ``EventLoop/scheduleFlush(_:)``.
    func flush() {}
    /// The loop is shutting down gracefully: stop accepting, finish what is in flight.
    func beginShutdown() {}
    /// The shutdown deadline passed: close now.
    func forceClose() {}
}
