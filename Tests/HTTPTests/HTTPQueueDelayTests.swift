import Synchronization
import TestSupport
import Testing

@testable import HTTP

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPQueueDelayTests {
    /// A request that came while its loop was busy with another handler is told how long it waited, and one that
    /// found the loop idle is told it hardly did.
    @Test func aRequestThatArrivedWhileItsLoopWasBusyIsToldHowLongItWaited() async throws {
        let delays = Mutex<[String: Duration]>([:])
        let blocking = Atomic<Bool>(false)
        var router = HTTPRouter()
        router.get("/busy") { _, context in
            delays.withLock { $0["busy"] = context.queueDelay }
            blocking.store(true, ordering: .releasing)
            // Holds the loop's thread, as a handler doing a lot of work would: nothing else on the loop runs meanwhile.
            let until = ContinuousClock.now + .milliseconds(150)
            while ContinuousClock.now < until {}
            return .text("done")
        }
        router.get("/quick") { _, context in
            delays.withLock { $0["quick", default: .zero] = context.queueDelay }
            return .text("ok")
        }
        try await TestServer.with(responder: router, configuration: .testing { $0.eventLoopCount = 1 }) { server in
            let idle = try await server.connect()
            #expect(try await idle.send(.get, "/quick").status == .ok)
            let quietDelay = try #require(delays.withLock { $0["quick"] })

            let first = try await server.connect()
            let second = try await server.connect()
            // Both connections served once, so that the loop has taken them on before it is held.
            #expect(try await first.send(.get, "/quick").status == .ok)
            #expect(try await second.send(.get, "/quick").status == .ok)
            let busy = Task { try await first.send(.get, "/busy", timeout: .seconds(30)) }
            try await waitUntil("the first handler holds the loop") { blocking.load(ordering: .acquiring) }
            // Sent while the loop is held: read only once the busy handler lets go.
            let waited = try await second.send(.get, "/quick", timeout: .seconds(30))
            #expect(waited.status == .ok)
            #expect(try await busy.value.status == .ok)
            let busyDelay = try #require(delays.withLock { $0["quick"] })
            #expect(busyDelay >= .milliseconds(100), "waited \(busyDelay) behind a 150 ms handler")
            #expect(quietDelay < busyDelay)
            await idle.close()
            await first.close()
            await second.close()
        }
    }
}

/// The kernel's receive timestamps: what a request's wait is measured from.
@Suite struct ReceiveTimestampTests {
    @Test func aReadSaysHowLongItsBytesWaitedInTheKernel() async throws {
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0, reusePort: false, backlog: 4)
        defer { close(listener) }
        let client = try Socket.connect(host: "127.0.0.1", port: port)
        defer { close(client) }
        var accepted: CInt?
        try await waitUntil("the connection is accepted") {
            accepted = Socket.accept(listener)?.fd
            return accepted != nil
        }
        let server = try #require(accepted)
        defer { close(server) }
        Socket.setReceiveTimestamps(server)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 8)
        defer { buffer.deallocate() }

        // The kernel starts stamping a moment after the first socket asks it to: probe until a read comes stamped.
        var waited: UInt64 = 0
        try await waitUntil("the kernel stamps what arrives") {
            _ = [UInt8(ascii: ".")].withUnsafeBytes { Socket.send(client, $0) }
            try await waitUntil("the probe is in the socket") { Self.queuedBytes(server) > 0 }
            _ = Socket.receive(server, into: buffer, waited: &waited)
            return waited > 0
        }

        let request = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        try await waitUntil("the request is sent") { request.withUnsafeBytes { Socket.send(client, $0) } == request.count }
        try await waitUntil("the request is in the socket") { Self.queuedBytes(server) == request.count }
        // The bytes sit in the server's socket while nobody reads them, as they do while a loop's thread waits for a core.
        let queued = ContinuousClock.now
        try await waitUntil("the bytes have sat in the socket for 120 ms") { ContinuousClock.now - queued >= .milliseconds(120) }
        var count = 0
        try await waitUntil("the request is read") {
            count = Socket.receive(server, into: buffer, waited: &waited)
            return count > 0
        }
        #expect(count == request.count)
        #expect(waited >= 100_000_000, "the bytes waited \(waited) ns in the kernel")
        #expect(waited < 60_000_000_000)
    }

    /// The bytes in a socket's receive queue (`FIONREAD`).
    private static func queuedBytes(_ fd: CInt) -> Int {
        var count: CInt = 0
        return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
    }
}
