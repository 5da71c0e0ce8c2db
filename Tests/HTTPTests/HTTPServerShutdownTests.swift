import HTTP
import TestSupport
import Testing

/// Graceful shutdown.
@Suite("HTTP server shutdown")
struct HTTPServerShutdownTests {
    @Test("shutdown finishes an in-flight request, closes idle connections and refuses new ones")
    func gracefulShutdown() async throws {
        let gate = Gate()
        var router = TestServer.echoRouter()
        router.get("/slow") { _, _ in
            await gate.wait()
            return .text("finished")
        }
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.eventLoopCount = 2
        let server = HTTPServer(configuration: configuration, responder: router)
        let port = try server.start()
        let client = try HTTPClient()
        defer { client.shutdown() }

        let idle = try await client.connect(port: port)
        #expect(try await idle.send(.get, "/echo").status == .ok)
        let busy = try await client.connect(port: port)
        try await busy.write(Array("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        #expect(await waitUntil(timeout: .seconds(30)) { gate.arrivals == 1 })

        let shutdown = Task { await server.shutdown() }
        #expect(await idle.waitForClose(timeout: .seconds(30)), "the idle connection stays open")
        let refused = await waitUntil(timeout: .seconds(30)) {
            (try? await client.connect(port: port, timeout: .seconds(1))) == nil
        }
        #expect(refused, "new connections are still accepted")

        gate.open()
        let response = try await busy.readResponse(timeout: .seconds(5))
        #expect(response.text == "finished")
        #expect(response.headers.first(name: "Connection") == "close")
        #expect(await busy.waitForClose(timeout: .seconds(5)))
        await shutdown.value
        #expect(server.connectionCount == 0)
    }

    @Test("run() returns after shutdown, and the grace period bounds a handler that never finishes")
    func runReturnsAfterDeadline() async throws {
        let gate = Gate()
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.eventLoopCount = 1
        configuration.shutdownGracePeriod = .milliseconds(300)
        let server = HTTPServer(configuration: configuration) { _, _ in
            await gate.wait()
            return .text("late")
        }
        let running = Task { try await server.run() }
        #expect(await waitUntil(timeout: .seconds(30)) { server.port != nil })
        let client = try HTTPClient()
        defer { client.shutdown() }
        let connection = try await client.connect(port: try #require(server.port))
        try await connection.write(Array("GET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        #expect(await waitUntil(timeout: .seconds(30)) { gate.arrivals == 1 })

        let started = ContinuousClock.now
        await server.shutdown()
        try await running.value
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        #expect(await connection.waitForClose(timeout: .seconds(5)))
        gate.open()
    }
}
