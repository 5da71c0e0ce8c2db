import HTTP
import Telemetry

/// A real server on 127.0.0.1 and an ephemeral port, with a client, for one test.
struct TestServer {
    let server: HTTPServer
    let client: HTTPClient
    let port: Int

    /// Starts a server with `responder`, runs `body`, then shuts both down whatever `body` did.
    static func with<Result>(
        responder: some HTTPResponder = TestServer.echoRouter(),
        configuration: HTTPServer.Configuration = .testing(),
        _ body: (TestServer) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "http-test")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, responder: responder, logger: logger)
        let port = try server.start()
        let client = try HTTPClient()
        let testServer = TestServer(server: server, client: client, port: port)
        do {
            let result = try await body(testServer)
            client.shutdown()
            await server.shutdown()
            return result
        } catch {
            client.shutdown()
            await server.shutdown()
            throw error
        }
    }

    /// A new keep-alive connection to the server.
    func connect() async throws -> HTTPClientConnection {
        try await client.connect(port: port, timeout: .seconds(5))
    }

    /// Routes most tests use: `/echo` answers any method with the request body (and `X-Request-Id`, method and
    /// query echoed in fields).
    static func echoRouter() -> HTTPRouter {
        var router = HTTPRouter()
        for method: HTTPMethod in [.get, .post, .put, .patch, .delete, .options] {
            router.on(method, "/echo") { request, _ in
                var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "X-Method": request.method.rawValue]
                if let id = request.headers.first(name: "X-Request-Id") { headers.add(name: "X-Request-Id", value: id) }
                return HTTPResponse(status: .ok, headers: headers, body: request.body)
            }
        }
        return router
    }
}

extension HTTPServer.Configuration {
    /// 127.0.0.1, an ephemeral port and two loops, changed by `modify`.
    static func testing(_ modify: (inout Self) -> Void = { _ in }) -> Self {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.eventLoopCount = 2
        // A minute for a request head unless a test sets its own: with the whole suite starting at once on two cores,
        // a client that connected may send late.
        configuration.headerReadTimeout = .seconds(60)
        modify(&configuration)
        return configuration
    }
}
