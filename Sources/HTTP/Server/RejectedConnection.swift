#if canImport(Glibc)
import Glibc
#endif

/// A connection over the connection cap: it gets a fixed `503`, then the socket lingers, discarding input, until the
/// peer closes or a deadline passes, so the 503 is read rather than lost to a reset.
final class RejectedConnection: IOHandler, @unchecked Sendable {
    private static let response = Array(
        ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n503 Service Unavailable\n").utf8
    )

    private let deadline: UInt64

    private init(loop: EventLoop, fd: CInt, deadline: UInt64) {
        self.deadline = deadline
        super.init(loop: loop, fd: fd)
    }

    static func reject(fd: CInt, loop: EventLoop, lingerTimeout: UInt64) {
        // A fresh socket's send buffer takes the whole response at once.
        let sent = response.withUnsafeBytes { Socket.send(fd, $0) }
        shutdown(fd, CInt(SHUT_WR))
        let connection = RejectedConnection(loop: loop, fd: fd, deadline: loop.now + lingerTimeout)
        guard sent == response.count, (try? loop.register(connection, interest: .readable)) != nil else {
            close(fd)
            return
        }
    }

    override func readable() {
        let count = recv(fd, loop.readBuffer.baseAddress, loop.readBuffer.count, 0)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { finish() }
    }

    override func tick(now: UInt64) {
        if now >= deadline { finish() }
    }

    override func forceClose() {
        finish()
    }

    private func finish() {
        guard slot >= 0 else { return }
        loop.deregister(self)
        close(fd)
        fd = -1
    }
}
