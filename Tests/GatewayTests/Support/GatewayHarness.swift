import Foundation
import Gateway
import HTTP
import Messaging
import ServiceKit
import Telemetry
import TestSupport

/// Verifies `customer-token` (alice, customer) and `admin-token` (root, admin); anything else is invalid.
struct FakeTokenVerifier: TokenVerifier {
    struct Invalid: Error {}

    func verify(bearerToken: String) async throws -> Principal {
        switch bearerToken {
        case "customer-token": Principal(subject: "alice", role: "customer")
        case "admin-token": Principal(subject: "root", role: "admin")
        default: throw Invalid()
        }
    }
}

/// A gateway over the fake items service, served by a real server on 127.0.0.1 and an ephemeral port.
struct GatewayHarness {
    let gateway: Gateway
    let registry: ServiceRegistry
    let clock: ManualClock
    let calls: CallCounter
    let bus: InProcessMessageBus
    let tracer: Tracer
    let metrics: MetricsRegistry
    let gate: Gate
    let httpClient: HTTPClient
    let port: Int
    let connection: HTTPClientConnection

    /// Builds the gateway with the standard routes, lets `configure` add more, serves it, runs `body`.
    @discardableResult
    static func with<Result>(
        configuration: Gateway.Configuration = Gateway.Configuration(),
        clientConfiguration: ServiceClient.Configuration = ServiceClient.Configuration(),
        logRecords: RecordingLogHandler.Records? = nil,
        configure: (inout Gateway, GatewayHarnessParts) -> Void = { _, _ in },
        _ body: (GatewayHarness) async throws -> Result
    ) async throws -> Result {
        let calls = CallCounter()
        let gate = Gate()
        let registry = ServiceRegistry()
        registry.register(itemsInstance(calls: calls, gate: gate))
        let metrics = MetricsRegistry()
        let client = ServiceClient(
            registry: registry,
            transport: InProcessTransport(mode: .serialized),
            configuration: clientConfiguration,
            metrics: metrics
        )
        let clock = ManualClock()
        let tracer = Tracer(service: "gateway")
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .critical
        if let logRecords { logger = Logger(label: "gateway-test", handler: RecordingLogHandler(records: logRecords)) }
        var gateway = Gateway(
            client: client,
            configuration: configuration,
            tokenVerifier: FakeTokenVerifier(),
            metrics: metrics,
            tracer: tracer,
            logger: logger,
            clock: clock
        )
        let bus = InProcessMessageBus()
        gateway.route(.get, "/api/v1/items/{id}", to: ItemsEndpoints.get, cache: .publicCacheable(maxAge: .seconds(60))) {
            try $0.pathParameter("id")
        }
        gateway.route(.get, "/api/v1/items", to: ItemsEndpoints.list, cache: .publicCacheable(maxAge: .seconds(60))) {
            $0.queryParameter("category") ?? "all"
        }
        gateway.route(.post, "/api/v1/items", to: ItemsEndpoints.create, access: .authenticated("admin"), status: .created) {
            try $0.decodeBody(NewItem.self)
        }
        gateway.route(.get, "/api/v1/me/items/{id}", to: ItemsEndpoints.get, access: .authenticated(nil)) {
            try $0.pathParameter("id") + "-" + ($0.principal?.subject ?? "nobody")
        }
        gateway.route(.get, "/api/v1/customer/items/{id}", to: ItemsEndpoints.get, access: .authenticated("customer")) {
            try $0.pathParameter("id")
        }
        gateway.route(.get, "/api/v1/gated/{id}", to: ItemsEndpoints.gated, cache: .publicCacheable(maxAge: .seconds(60))) {
            try $0.pathParameter("id")
        }
        gateway.route(.get, "/api/v1/slow", to: ItemsEndpoints.slow) { _ in 1 }
        gateway.route(.get, "/api/v1/boom", to: ItemsEndpoints.boom, rateLimitClass: nil) { _ in 1 }
        gateway.route(.get, "/api/v1/ghosts/{id}", to: ItemsEndpoints.ghost) { try $0.pathParameter("id") }
        gateway.mapFailures(ItemsError.self) { error in
            if case .notFound = error { return .notFound }
            return .unprocessableContent
        }
        configure(&gateway, GatewayHarnessParts(bus: bus, clock: clock))

        let server = gateway.makeServer(configuration: .testing(), logger: logger)
        let port = try server.start()
        let httpClient = try HTTPClient()
        let harness = GatewayHarness(
            gateway: gateway,
            registry: registry,
            clock: clock,
            calls: calls,
            bus: bus,
            tracer: tracer,
            metrics: metrics,
            gate: gate,
            httpClient: httpClient,
            port: port,
            connection: try await httpClient.connect(port: port, timeout: .seconds(5))
        )
        let busRun = Task { try await bus.run() }
        func tearDown() async {
            await harness.connection.close()
            httpClient.shutdown()
            await server.shutdown()
            bus.shutdown()
            _ = try? await busRun.value
        }
        do {
            // The test's requests run on a thread of their own: on the shared pool, with the whole suite starting at
            // once on two cores, a request could wait past the server's 10 s header-read timeout and find its
            // connection closed.
            let result = try await withTaskExecutorPreference(OwnThreadExecutor(label: "gateway-harness")) { try await body(harness) }
            await tearDown()
            return result
        } catch {
            await tearDown()
            throw error
        }
    }

    /// A new keep-alive connection to the gateway.
    func connect() async throws -> HTTPClientConnection {
        try await httpClient.connect(port: port, timeout: .seconds(5))
    }

    /// Sends a `GET` on the harness's keep-alive connection.
    func get(_ target: String, headers: HTTPHeaders = [:]) async throws -> HTTPClientResponse {
        try await send(.get, target, headers: headers)
    }

    /// Sends a request on the harness's keep-alive connection.
    func send(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: String? = nil) async throws -> HTTPClientResponse {
        var headers = headers
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        return try await connection.send(method, target, headers: headers, body: body.map { Array($0.utf8) } ?? [], timeout: .seconds(10))
    }
}

/// What `configure` may use besides the gateway.
struct GatewayHarnessParts {
    let bus: InProcessMessageBus
    let clock: ManualClock
}

extension HTTPServer.Configuration {
    /// 127.0.0.1, an ephemeral port, two loops, and a minute for a request head: the harness connects before the
    /// test starts, and with the whole suite starting at once on two cores the first request may come late.
    static func testing() -> Self {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.eventLoopCount = 2
        configuration.headerReadTimeout = .seconds(60)
        return configuration
    }
}

extension HTTPClientResponse {
    /// The body as a problem, or `nil` when it is not problem+json.
    var problem: Problem? {
        guard headers.first(name: "Content-Type") == Problem.contentType else { return nil }
        return try? JSONDecoder().decode(Problem.self, from: Data(body))
    }
}
