import HTTP
import Telemetry
import TestSupport
import Testing

/// Accept strategies and metrics.
@Suite("HTTP server configuration")
struct HTTPServerConfigurationTests {
    @Test(
        "both accept strategies serve many connections",
        arguments: [HTTPServer.Configuration.AcceptStrategy.reusePort, .sharedListener]
    )
    func acceptStrategies(_ strategy: HTTPServer.Configuration.AcceptStrategy) async throws {
        try await TestServer.with(configuration: .testing { $0.acceptStrategy = strategy }) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let connection = try await server.connect()
                        for request in 0..<5 {
                            let body = Array("\(index)-\(request)".utf8)
                            #expect(try await connection.send(.post, "/echo", body: body).body == body)
                        }
                        await connection.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("requests, connections and parser errors are counted in the metrics registry")
    func metrics() async throws {
        let registry = MetricsRegistry()
        let configuration = HTTPServer.Configuration.testing()
        let server = HTTPServer(configuration: configuration, responder: TestServer.echoRouter(), metrics: registry)
        let port = try server.start()
        let client = try HTTPClient()
        defer { client.shutdown() }
        let connection = try await client.connect(port: port)
        for _ in 0..<3 {
            #expect(try await connection.send(.get, "/echo").status == .ok)
        }
        let broken = try await client.connect(port: port)
        try await broken.write(Array("GET /echo HTTP/1.1\r\n\r\n".utf8))
        #expect(try await broken.readResponse().status == .badRequest)

        let requests = registry.makeCounter(name: "http_server_requests_total")
        let connections = registry.makeCounter(name: "http_server_connections_total")
        let parserErrors = registry.makeCounter(name: "http_server_parser_errors_total")
        #expect(await waitUntil(timeout: .seconds(30)) { requests.value == 3 && connections.value == 2 && parserErrors.value == 1 })
        #expect(registry.exposition().contains("http_server_requests_total 3"))
        await server.shutdown()
    }
}

/// Binding.
@Suite("HTTP server binding")
struct HTTPServerBindingTests {
    @Test(
        "a second server on a port in use fails to start, whatever the accept strategies",
        arguments: [HTTPServer.Configuration.AcceptStrategy.reusePort, .sharedListener]
    )
    func portInUse(_ strategy: HTTPServer.Configuration.AcceptStrategy) async throws {
        try await TestServer.with { server in
            let second = HTTPServer(
                configuration: .testing {
                    $0.port = server.port
                    $0.acceptStrategy = strategy
                },
                responder: HTTPRouter()
            )
            #expect(throws: SocketError.self) { try second.start() }
            await second.shutdown()
        }
    }
}
