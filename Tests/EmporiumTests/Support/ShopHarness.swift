import Emporium
import Foundation
import HTTP
import ModuleKit
import ServiceKit
import Telemetry
import TestSupport
import Testing

/// A real ``Emporium`` on a temporary data directory and an ephemeral port, with the seed catalog, and one
/// keep-alive HTTP connection to it.
struct ShopHarness {
    static let adminEmail = "admin@shop.test"
    static let adminPassword = "correct horse battery staple"
    /// How many products the harness seeds: the fixture's first 8, then every 6th (every category has several).
    static let seededProducts = SmallCatalog.count(first: 8, every: 6)

    let system: Emporium
    let connection: HTTPClientConnection
    let directory: TemporaryDirectory

    /// Starts a system configured by `configure`, runs `body`, and stops it whatever happens.
    static func with<Result>(
        configure: (inout EmporiumConfiguration) -> Void = { _ in },
        _ body: (ShopHarness) async throws -> Result
    ) async throws -> Result {
        let directory = try TemporaryDirectory()
        var configuration = EmporiumConfiguration(dataDirectory: directory.path("data"))
        configuration.port = 0
        configuration.transport = .serialized
        // Part of the fixture catalog: every suite starts its own system at once on two cores, and each of the search
        // index, the cart and inventory takes every seeded product.
        configuration.settings["catalog.seed"] = try SmallCatalog.write(in: directory, first: 8, every: 6)
        configuration.settings["identity.admin-email"] = adminEmail
        configuration.settings["identity.admin-password"] = adminPassword
        configuration.settings["identity.password-cost"] = "1"
        // Stock only where a test looks at it: every suite starts its own system at once on two cores, and stocking
        // 540 products is one more large transaction each.
        configuration.settings["inventory.seed"] = "none"
        // A checkout answers once the saga decides: on two cores busy with the whole suite, that can take longer than
        // the 5 s after which it would answer 202 with the order still pending.
        configuration.settings["orders.checkout-deadline"] = "60"
        // Tests poll over HTTP while they wait; the rate limit is tested where a test sets one.
        configuration.requestsPerMinute = 0
        // Every suite starts its own system at once on two cores: their queues are the suite's, not clients' to be
        // shed for (admission is tested in the gateway's tests and by the overload drill).
        configuration.admissionQueueTarget = nil
        configuration.logLevel = .critical
        configuration.eventLoops = 1
        configure(&configuration)
        let system = try await Emporium.start(configuration)
        let client = try HTTPClient()
        do {
            let connection = try await client.connect(port: system.port, timeout: .seconds(5))
            let harness = ShopHarness(system: system, connection: connection, directory: directory)
            // On a thread of its own, as in the gateway tests' harness: the shared pool, with the whole suite
            // starting at once on two cores, can hold a request past the server's header-read timeout.
            let result = try await withTaskExecutorPreference(OwnThreadExecutor(label: "shop-harness")) { try await body(harness) }
            await connection.close()
            client.shutdown()
            await system.stop()
            return result
        } catch {
            client.shutdown()
            await system.stop()
            throw error
        }
    }

    /// Sends a request; `body` is encoded as JSON.
    func send(
        _ method: HTTPMethod,
        _ target: String,
        token: String? = nil,
        headers: HTTPHeaders = [:],
        json body: (any Encodable)? = nil
    ) async throws -> HTTPClientResponse {
        var headers = headers
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        var bytes: [UInt8] = []
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            bytes = Array(try JSONEncoder().encode(body))
        }
        return try await connection.send(method, target, headers: headers, body: bytes, timeout: .seconds(60))
    }

    /// The JSON body of `response` decoded as `type`, after checking its status.
    func decode<Body: Decodable>(
        _ type: Body.Type,
        from response: HTTPClientResponse,
        status: Int = 200,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Body {
        #expect(response.status.code == status, "\(response.text)", sourceLocation: sourceLocation)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(response.body))
    }

    /// Logs in and returns the access token.
    func login(_ email: String, _ password: String) async throws -> String {
        let response = try await send(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        return try decode(SessionBody.self, from: response).accessToken
    }
}

struct SessionBody: Decodable {
    var accessToken: String
    var refreshToken: String
    var user: UserBody
}

struct UserBody: Decodable {
    var id: String
    var email: String
    var role: String
}

struct ProblemBody: Decodable {
    var status: Int
    var detail: String?
}
