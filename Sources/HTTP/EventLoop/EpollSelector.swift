#if os(Linux)
import Glibc

/// ``IOSelector`` on Linux: one epoll instance and an eventfd for wake-ups.
///
/// Events are read into a raw buffer because `struct epoll_event` is packed on x86-64, which Swift structs cannot
/// express; see ``LinuxSystemCalls``.
final class EpollSelector: IOSelector {
    private static let wakeToken: UInt64 = 0
    private let epollFD: CInt
    private let wakeFD: CInt
    private let capacity = 256
    private let events: UnsafeMutableRawPointer

    init() throws(SocketError) {
        let epollFD = LinuxSystemCalls.epollCreate1(LinuxSystemCalls.epollCloexec)
        guard epollFD >= 0 else { throw SocketError(operation: "epoll_create1") }
        let wakeFD = LinuxSystemCalls.eventFD(0, LinuxSystemCalls.eventFDNonBlock | LinuxSystemCalls.eventFDCloexec)
        guard wakeFD >= 0 else {
            let error = SocketError(operation: "eventfd")
            close(epollFD)
            throw error
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        events = .allocate(byteCount: capacity * LinuxSystemCalls.epollEventStride, alignment: 8)
        do {
            try control(LinuxSystemCalls.epollCtlAdd, wakeFD, token: Self.wakeToken, events: LinuxSystemCalls.epollIn)
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
        let flags = Self.flags(interest) | (exclusive ? LinuxSystemCalls.epollExclusive : 0)
        try control(LinuxSystemCalls.epollCtlAdd, fd, token: token, events: flags)
    }

    func modify(_ fd: CInt, token: UInt64, interest: IOInterest) throws(SocketError) {
        try control(LinuxSystemCalls.epollCtlMod, fd, token: token, events: Self.flags(interest))
    }

    func deregister(_ fd: CInt) {
        _ = LinuxSystemCalls.epollCtl(epollFD, LinuxSystemCalls.epollCtlDel, fd, nil)
    }

    func wait(timeoutMilliseconds: CInt) -> Int {
        max(0, Int(LinuxSystemCalls.epollWait(epollFD, events, CInt(capacity), timeoutMilliseconds)))
    }

    func event(at index: Int) -> (token: UInt64, readiness: IOReadiness)? {
        let base = index * LinuxSystemCalls.epollEventStride
        let flags = events.loadUnaligned(fromByteOffset: base, as: UInt32.self)
        let token = events.loadUnaligned(fromByteOffset: base + LinuxSystemCalls.epollEventDataOffset, as: UInt64.self)
        if token == Self.wakeToken {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
            return nil
        }
        let failed = flags & (LinuxSystemCalls.epollErr | LinuxSystemCalls.epollHup) != 0
        let readable = failed || flags & (LinuxSystemCalls.epollIn | LinuxSystemCalls.epollRdHup) != 0
        let writable = failed || flags & LinuxSystemCalls.epollOut != 0
        return (token, IOReadiness(readable: readable, writable: writable))
    }

    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private static func flags(_ interest: IOInterest) -> UInt32 {
        (interest.contains(.readable) ? LinuxSystemCalls.epollIn : 0) | (interest.contains(.writable) ? LinuxSystemCalls.epollOut : 0)
    }

    private func control(_ operation: CInt, _ fd: CInt, token: UInt64, events flags: UInt32) throws(SocketError) {
        // A zeroed 16-byte buffer covers both layouts of `struct epoll_event`.
        var event: (UInt64, UInt64) = (0, 0)
        let result = withUnsafeMutableBytes(of: &event) { raw in
            raw.storeBytes(of: flags, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: LinuxSystemCalls.epollEventDataOffset, as: UInt64.self)
            return LinuxSystemCalls.epollCtl(epollFD, operation, fd, raw.baseAddress)
        }
        guard result == 0 else { throw SocketError(operation: "epoll_ctl") }
    }
}
#endif
