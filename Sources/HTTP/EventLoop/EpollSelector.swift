#if os(Linux)
import CLinux
import Glibc

/// ``IOSelector`` on Linux: one epoll instance and an eventfd for wake-ups.
final class EpollSelector: IOSelector {
    private static let wakeToken: UInt64 = 0
    private let epollFD: CInt
    private let wakeFD: CInt
    private let capacity = 256
    private let events: UnsafeMutablePointer<epoll_event>

    init() throws(SocketError) {
        let epollFD = epoll_create1(CInt(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SocketError(operation: "epoll_create1") }
        let wakeFD = eventfd(0, CInt(EFD_NONBLOCK) | CInt(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = SocketError(operation: "eventfd")
            close(epollFD)
            throw error
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        events = .allocate(capacity: capacity)
        do {
            try control(EPOLL_CTL_ADD, wakeFD, token: Self.wakeToken, events: EPOLLIN.rawValue)
        } catch {
            close(wakeFD)
            close(epollFD)
            events.deallocate()
            throw error
        }
    }

    deinit {
        close(wakeFD)
        close(epollFD)
        events.deallocate()
    }

    func register(_ fd: CInt, token: UInt64, interest: IOInterest, exclusive: Bool) throws(SocketError) {
        precondition(token != Self.wakeToken, "token 0 is the wake-up")
        let flags = Self.flags(interest) | (exclusive ? EPOLLEXCLUSIVE.rawValue : 0)
        try control(EPOLL_CTL_ADD, fd, token: token, events: flags)
    }

    func modify(_ fd: CInt, token: UInt64, interest: IOInterest) throws(SocketError) {
        try control(EPOLL_CTL_MOD, fd, token: token, events: Self.flags(interest))
    }

    func deregister(_ fd: CInt) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    func wait(timeoutMilliseconds: CInt) -> Int {
        max(0, Int(epoll_wait(epollFD, events, CInt(capacity), timeoutMilliseconds)))
    }

    func event(at index: Int) -> (token: UInt64, readiness: IOReadiness)? {
        let flags = events[index].events
        let token = events[index].data.u64
        if token == Self.wakeToken {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
            return nil
        }
        let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        let readable = failed || flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0
        let writable = failed || flags & EPOLLOUT.rawValue != 0
        return (token, IOReadiness(readable: readable, writable: writable))
    }

    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private static func flags(_ interest: IOInterest) -> UInt32 {
        (interest.contains(.readable) ? EPOLLIN.rawValue : 0) | (interest.contains(.writable) ? EPOLLOUT.rawValue : 0)
    }

    private func control(_ operation: CInt, _ fd: CInt, token: UInt64, events flags: UInt32) throws(SocketError) {
        var event = epoll_event()
        event.events = flags
        event.data.u64 = token
        guard epoll_ctl(epollFD, operation, fd, &event) == 0 else { throw SocketError(operation: "epoll_ctl") }
    }
}
#endif
