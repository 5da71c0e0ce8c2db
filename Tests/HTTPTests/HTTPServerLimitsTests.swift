import HTTP
import Synchronization
import TestSupport
import Testing

/// Timeouts and the connection cap.
@Suite("HTTP server limits")
struct HTTPServerLimitsTests {
    /// Runs a test's clients on a thread of their own: on the pool every suite shares they were starved for
    /// seconds at a time (the whole suite starts at once on two cores), longer than the timeouts under test, so a
    /// connection could be closed as slow before its client ever got to send.
    private func onOwnThread(_ body: () async throws -> Void) async throws {
        try await withTaskExecutorPreference(OwnThreadExecutor(label: "http-tests.limits")) {
            try await body()
        }
    }

    @Test("a slowloris connection is closed after the header-read timeout while another client keeps being served")
    func slowloris() async throws {
        try await onOwnThread { try await slowlorisOnOwnThread() }
    }

    private func slowlorisOnOwnThread() async throws {
        try await TestServer.with(configuration: .testing { $0.headerReadTimeout = .seconds(2) }) { server in
            // The other client reconnects if it was itself dropped as slow: a test task starved by the suite running in
            // parallel (seen under ThreadSanitizer) can miss any timeout between connecting and sending.
            var other = try await server.connect()
            func send(_ body: [UInt8]) async throws -> HTTPClientResponse {
                do {
                    return try await other.send(.post, "/echo", body: body)
                } catch let error as HTTPClientError where error == .connectionClosed {
                    other = try await server.connect()
                    return try await other.send(.post, "/echo", body: body)
                }
            }
            #expect(try await send([]).status == .ok)
            // Taken before connecting: the server's timer starts at accept, which cannot precede this.
            let started = ContinuousClock.now
            let slow = try await server.connect()
            let trickle = Task {
                // A head that never ends, one byte every 50 ms, until the server hangs up (bounded at 8 s).
                let bytes = Array("GET /echo HTTP/1.1\r\nHost: t\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100)
                for byte in bytes {
                    guard (try? await slow.write([byte], timeout: .seconds(1))) != nil else { return }
                    try? await Task.sleep(for: .milliseconds(50))
                    if ContinuousClock.now - started > .seconds(8) { return }
                }
            }
            var served = 0
            var servedWhileOpen = 0
            while !(await slow.isClosed) && ContinuousClock.now - started < .seconds(8) {
                let response = try await send(Array("ping \(served)".utf8))
                #expect(response.text == "ping \(served)")
                served += 1
                if !(await slow.isClosed) { servedWhileOpen += 1 }
            }
            let elapsed = ContinuousClock.now - started
            trickle.cancel()
            #expect(await slow.isClosed, "the slow connection is still open after \(elapsed)")
            #expect(elapsed >= .seconds(2), "closed before the timeout: \(elapsed)")
            #expect(servedWhileOpen >= 2, "\(served) requests served, \(servedWhileOpen) while the slow connection was open")
            #expect(try await send([]).status == .ok)
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        try await onOwnThread {
            try await TestServer.with(configuration: .testing { $0.idleTimeout = .milliseconds(300) }) { server in
                let connection = try await server.connect()
                // Taken before the request: the server's idle timer starts after its response, which cannot precede this.
                let idleSince = ContinuousClock.now
                #expect(try await connection.send(.get, "/echo").status == .ok)
                #expect(await connection.waitForClose(timeout: .seconds(5)))
                #expect(ContinuousClock.now - idleSince >= .milliseconds(300))
            }
        }
    }

    @Test("a body that stalls gets 408 after the body-read timeout")
    func bodyTimeout() async throws {
        try await onOwnThread {
            try await TestServer.with(configuration: .testing { $0.bodyReadTimeout = .milliseconds(300) }) { server in
                let connection = try await server.connect()
                try await connection.write(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc".utf8))
                let response = try await connection.readResponse(timeout: .seconds(5))
                #expect(response.status == .requestTimeout)
                #expect(await connection.waitForClose(timeout: .seconds(5)))
            }
        }
    }

    @Test("connections beyond the cap get 503 and are closed; capacity returns when one closes")
    func connectionCap() async throws {
        try await onOwnThread {
            try await TestServer.with(configuration: .testing { $0.maxConnections = 2 }) { server in
                let first = try await server.connect()
                let second = try await server.connect()
                #expect(try await first.send(.get, "/echo").status == .ok)
                #expect(try await second.send(.get, "/echo").status == .ok)
                #expect(server.server.connectionCount == 2)

                let third = try await server.connect()
                let refused = try await third.readResponse(timeout: .seconds(5))
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers.first(name: "Connection") == "close")
                #expect(await third.waitForClose(timeout: .seconds(5)))

                await first.close()
                #expect(await waitUntil(timeout: .seconds(30)) { server.server.connectionCount == 1 })
                let fourth = try await server.connect()
                #expect(try await fourth.send(.get, "/echo").status == .ok)
            }
        }
    }
}
