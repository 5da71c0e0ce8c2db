#if canImport(Glibc)
import Glibc
#endif

/// The loop side of an ``HTTPClientConnection``: reads everything that arrives into `input`, sends `output`, and
/// wakes the one operation waiting on it. Loop-confined.
final class ClientSocket: IOHandler, @unchecked Sendable {
    // Touched on `loop`'s thread only: callbacks run there, and every public client method hops there first.
    private(set) var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    private(set) var isConnected = false
    /// The peer closed or reset the connection, or it failed.
    private(set) var isClosed = false
    private(set) var failure: CInt = 0
    private var waiter: UnsafeContinuation<Void, Never>?
    private var deadline = UInt64.max
    private var timedOut = false

    init(loop: EventLoop, connecting fd: CInt) throws(SocketError) {
        super.init(loop: loop, fd: fd)
        try loop.register(self, interest: .writable)
    }

    var bufferedInput: ArraySlice<UInt8> { input[inputStart...] }

    func consumeInput(_ count: Int) {
        inputStart += count
        if inputStart == input.count {
            input.removeAll(keepingCapacity: true)
            inputStart = 0
        } else if inputStart > 64 * 1024 && inputStart > input.count / 2 {
            input.removeSubrange(0..<inputStart)
            inputStart = 0
        }
    }

    // MARK: - Waiting

    /// Waits until `condition` holds or the connection closes; `false` on timeout.
    func wait(timeout: Duration, until condition: () -> Bool) async -> Bool {
        deadline = loop.now &+ EventLoop.nanoseconds(timeout)
        timedOut = false
        defer { deadline = .max }
        while !condition() {
            if timedOut { return false }
            await withUnsafeContinuation { waiter = $0 }
        }
        return true
    }

    private func resumeWaiter() {
        guard let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }

    override func tick(now: UInt64) {
        guard now >= deadline else { return }
        deadline = .max
        timedOut = true
        resumeWaiter()
    }

    // MARK: - I/O

    /// Queues bytes and sends what the socket takes now.
    func send(_ bytes: [UInt8]) {
        output.append(contentsOf: bytes)
        flush()
    }

    var pendingOutput: Int { output.count - outputStart }

    override func flush() {
        guard isConnected, !isClosed else { return }
        while outputStart < output.count {
            let sent = output.withUnsafeBytes { Socket.send(fd, UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }
            if sent > 0 {
                outputStart += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                loop.setInterest(self, [.readable, .writable])
                return
            } else {
                fail(errno)
                return
            }
        }
        output.removeAll(keepingCapacity: true)
        outputStart = 0
        loop.setInterest(self, .readable)
        resumeWaiter()
    }

    override func writable() {
        if !isConnected {
            let error = Socket.connectionError(fd)
            guard error == 0 else {
                fail(error)
                return
            }
            isConnected = true
            loop.setInterest(self, .readable)
            resumeWaiter()
        }
        flush()
    }

    override func readable() {
        guard !isClosed else { return }
        let count = recv(fd, loop.readBuffer.baseAddress, loop.readBuffer.count, 0)
        if count > 0 {
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
            resumeWaiter()
        } else if count == 0 {
            markClosed()
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            fail(errno)
        }
    }

    private func fail(_ code: CInt) {
        failure = code
        markClosed()
    }

    /// The peer is gone: stop watching, keep what was read.
    private func markClosed() {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(self)
        close(fd)
        fd = -1
        resumeWaiter()
    }

    /// Closes from our side.
    func closeNow() {
        markClosed()
    }

    override func forceClose() {
        markClosed()
    }
}
