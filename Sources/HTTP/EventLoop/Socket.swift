#if canImport(Glibc)
import CLinux
import Glibc
#endif

/// The socket calls of the server and client: non-blocking TCP over IPv4 or IPv6. Linux-specific calls
/// (`accept4`, from the `CLinux` shim) are confined here.
enum Socket {
    /// A bound, listening, non-blocking socket and the port it got.
    static func listen(host: String, port: Int, reusePort: Bool, backlog: Int) throws(SocketError) -> (fd: CInt, port: Int) {
        var storage = try address(host: host, port: port)
        let family = CInt(storage.ss_family)
        let fd = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket") }
        do throws(SocketError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw SocketError(operation: "bind") }
            guard Glibc.listen(fd, CInt(backlog)) == 0 else { throw SocketError(operation: "listen") }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// Binds a socket without `SO_REUSEPORT` and closes it: fails with `EADDRINUSE` when anything listens on the
    /// port (a reuse-port listener of another process included), and picks the port when `port` is 0. Reuse-port
    /// listeners bind after this check, so a second server on a taken port fails loudly instead of silently taking
    /// a share of its connections.
    static func reserve(host: String, port: Int) throws(SocketError) -> Int {
        var storage = try address(host: host, port: port)
        let family = CInt(storage.ss_family)
        let fd = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket") }
        defer { close(fd) }
        try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw SocketError(operation: "bind") }
        return try localPort(fd)
    }

    /// Accepts one pending connection, non-blocking and close-on-exec, with its peer's address; `nil` with `errno`
    /// set when none is pending or accepting failed.
    static func accept(_ listener: CInt) -> (fd: CInt, peer: HTTPSocketAddress)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                accept4(listener, $0, &length, CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue))
            }
        }
        guard fd >= 0 else { return nil }
        return (fd, socketAddress(storage))
    }

    /// Starts a non-blocking connection; it completes when the socket becomes writable (see ``connectionError(_:)``).
    static func connect(host: String, port: Int) throws(SocketError) -> CInt {
        var storage = try address(host: host, port: port)
        let family = CInt(storage.ss_family)
        let fd = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket") }
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard result == 0 || errno == EINPROGRESS else {
            let error = SocketError(operation: "connect")
            close(fd)
            throw error
        }
        setNoDelay(fd)
        return fd
    }

    /// The pending error of a socket (`SO_ERROR`): 0 once a non-blocking connect succeeded.
    static func connectionError(_ fd: CInt) -> CInt {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    /// Disables Nagle's algorithm: responses are written whole, and delaying them only adds latency.
    static func setNoDelay(_ fd: CInt) {
        var one: CInt = 1
        _ = setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
    }

    /// Asks the kernel to stamp what arrives with its time (`SO_TIMESTAMPNS`), for ``receive(_:into:waited:)``.
    static func setReceiveTimestamps(_ fd: CInt) {
        var one: CInt = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, socklen_t(MemoryLayout<CInt>.size))
    }

    /// Receives like `recv`, also saying how long the data had waited in the kernel (nanoseconds; 0 when the socket
    /// gives no timestamps): the time a request spent queued before the server got to it, however busy its threads
    /// or the machine's cores were.
    static func receive(_ fd: CInt, into buffer: UnsafeMutableRawBufferPointer, waited: inout UInt64) -> Int {
        var nanoseconds: Int64 = 0
        let count = emporium_recv_timed(fd, buffer.baseAddress, buffer.count, &nanoseconds)
        waited = UInt64(max(0, nanoseconds))
        return count
    }

    /// Sends without raising `SIGPIPE` on a connection the peer closed.
    static func send(_ fd: CInt, _ bytes: UnsafeRawBufferPointer) -> Int {
        Glibc.send(fd, bytes.baseAddress, bytes.count, CInt(MSG_NOSIGNAL))
    }

    private static func setOption(_ fd: CInt, _ level: CInt, _ name: CInt, _ value: CInt) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw SocketError(operation: "setsockopt")
        }
    }

    private static func localPort(_ fd: CInt) throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError(operation: "getsockname") }
        return socketAddress(storage).port
    }

    /// A numeric IPv4 or IPv6 address; `localhost` is 127.0.0.1. Names are not resolved: the server binds and the
    /// client connects to addresses.
    private static func address(host: String, port: Int) throws(SocketError) -> sockaddr_storage {
        guard (0...65535).contains(port) else { throw SocketError(operation: "port \(port)", code: EINVAL) }
        let host = host == "localhost" ? "127.0.0.1" : host
        var storage = sockaddr_storage()
        var parsed = false
        withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                if inet_pton(AF_INET, host, &address.pointee.sin_addr) == 1 {
                    address.pointee.sin_family = sa_family_t(AF_INET)
                    address.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                    parsed = true
                }
            }
            guard !parsed else { return }
            pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
                if inet_pton(AF_INET6, literal, &address.pointee.sin6_addr) == 1 {
                    address.pointee.sin6_family = sa_family_t(AF_INET6)
                    address.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                    parsed = true
                }
            }
        }
        guard parsed else { throw SocketError(operation: "address \(host)", code: EINVAL) }
        return storage
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func socketAddress(_ storage: sockaddr_storage) -> HTTPSocketAddress {
        var storage = storage
        return withUnsafePointer(to: &storage) { pointer in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            if CInt(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return HTTPSocketAddress(host: string(text), port: Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var raw = address.pointee.sin_addr
                inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                return HTTPSocketAddress(host: string(text), port: Int(UInt16(bigEndian: address.pointee.sin_port)))
            }
        }
    }
}
