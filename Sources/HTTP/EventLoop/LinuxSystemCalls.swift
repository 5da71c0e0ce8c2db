#if os(Linux)
import Glibc

/// The Linux calls the Glibc module does not import — `epoll`, `eventfd` and `accept4` sit in headers its module map
/// leaves out or behind `_GNU_SOURCE` — resolved once with `dlsym` and called through C function pointers, so the
/// target needs no C shim.
enum LinuxSystemCalls {
    typealias EpollCreate1 = @convention(c) (CInt) -> CInt
    typealias EpollCtl = @convention(c) (CInt, CInt, CInt, UnsafeMutableRawPointer?) -> CInt
    typealias EpollWait = @convention(c) (CInt, UnsafeMutableRawPointer?, CInt, CInt) -> CInt
    typealias EventFD = @convention(c) (CUnsignedInt, CInt) -> CInt
    typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> CInt
    typealias Accept4 = @convention(c) (CInt, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, CInt) -> CInt

    // C function pointers into libc: immutable after resolution and safe to call from any thread.
    nonisolated(unsafe) static let epollCreate1: EpollCreate1 = resolve("epoll_create1")
    nonisolated(unsafe) static let epollCtl: EpollCtl = resolve("epoll_ctl")
    nonisolated(unsafe) static let epollWait: EpollWait = resolve("epoll_wait")
    nonisolated(unsafe) static let eventFD: EventFD = resolve("eventfd")
    nonisolated(unsafe) static let accept4: Accept4 = resolve("accept4")
    nonisolated(unsafe) static let setThreadName: SetThreadName = resolve("pthread_setname_np")

    // <sys/epoll.h> and <sys/eventfd.h>; the values are part of the Linux ABI.
    static let epollCloexec: CInt = 0o2_000_000
    static let epollCtlAdd: CInt = 1
    static let epollCtlDel: CInt = 2
    static let epollCtlMod: CInt = 3
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollRdHup: UInt32 = 0x2000
    static let epollExclusive: UInt32 = 1 << 28
    static let eventFDNonBlock: CInt = 0o4_000
    static let eventFDCloexec: CInt = 0o2_000_000

    /// `struct epoll_event` is packed on x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere.
    #if arch(x86_64)
    static let epollEventStride = 12
    static let epollEventDataOffset = 4
    #else
    static let epollEventStride = 16
    static let epollEventDataOffset = 8
    #endif

    private static func resolve<Function>(_ name: String) -> Function {
        guard let symbol = dlsym(nil, name) else { fatalError("\(name) is missing from the C library") }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
#endif
