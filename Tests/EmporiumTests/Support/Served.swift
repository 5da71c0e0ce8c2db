import Emporium
import Foundation
import HTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `emporium serve` child process on a given data directory, for tests that kill it and start it again: one
/// keep-alive connection, and the shopper's steps as calls.
struct Served {
    static let adminEmail = "admin@emporium.local"
    static let adminPassword = "crash test password"
    static let customerEmail = "crash.customer@example.com"
    static let password = "correct horse battery"

    let process: ChildProcess
    let port: Int
    let client: HTTPClient
    let connection: HTTPClientConnection

    /// Starts the binary on `data` with `extra` arguments and waits until it listens.
    static func start(data: String, extra: [String] = []) async throws -> Served {
        let process = try await ChildProcess(
            executable: try ChildProcess.builtExecutable("emporium"),
            arguments: [
                "serve", "--port", "0", "--data", data, "--log-level", "error", "--admin-password", adminPassword, "--set",
                // The suite runs many systems at once on two cores: their queues are the suite's, not clients' to be
                // shed for (admission is tested in the gateway's tests and by the overload drill).
                "identity.password-cost=1", "--queue-target", "0",
            ]
                + extra,
            standardError: FileHandle(forWritingAtPath: "/dev/null")
        )
        let line = try await process.waitForLine(within: .seconds(90), description: "the listening line") { $0.contains("listening on http://") }
        let base = try #require(line.split(separator: " ").last.map { String($0.dropLast(1)) }, "\(line)")
        let port = try #require(base.split(separator: ":").last.flatMap { Int($0) }, "\(line)")
        let client = try HTTPClient()
        let connection = try await client.connect(port: port, timeout: .seconds(5))
        return Served(process: process, port: port, client: client, connection: connection)
    }

    /// Stops it with SIGTERM, which must end it cleanly.
    func stop() async {
        await connection.close()
        client.shutdown()
        process.process.signal(SIGTERM)
        #expect((try? await process.waitForExit(within: .seconds(30))) == 0)
    }

    /// Sends a request; `json` is encoded as JSON.
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
        return try await connection.send(method, target, headers: headers, body: bytes, timeout: .seconds(20))
    }

    /// Logs in; the access token.
    func login(_ email: String, _ password: String) async throws -> String {
        let response = try await send(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        #expect(response.status == .ok, "\(response.text)")
        return try JSONDecoder().decode(SessionBody.self, from: Data(response.body)).accessToken
    }

    /// Registers ``customerEmail`` and logs in.
    func customer() async throws -> String {
        let registered = try await send(.post, "/api/v1/auth/register", json: ["email": Self.customerEmail, "password": Self.password])
        #expect(registered.status.code == 201, "\(registered.text)")
        return try await login(Self.customerEmail, Self.password)
    }

    /// Adds an address in Berlin; its id.
    func address(token: String) async throws -> String {
        let body = ["name": "Crash Tester", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"]
        let response = try await send(.post, "/api/v1/me/addresses", token: token, json: body)
        #expect(response.status.code == 201, "\(response.text)")
        struct Saved: Decodable { var id: String }
        return try JSONDecoder().decode(Saved.self, from: Data(response.body)).id
    }

    /// Puts `quantity` of `product` in the caller's cart.
    func addToCart(token: String, product: String, quantity: Int) async throws {
        struct Item: Encodable {
            var productId: String
            var quantity: Int
        }
        let response = try await send(.post, "/api/v1/cart/items", token: token, json: Item(productId: product, quantity: quantity))
        #expect(response.status == .ok, "\(response.text)")
    }

    /// The caller's orders, newest first: id and status.
    func orders(token: String) async throws -> [OrderSummary] {
        let response = try await send(.get, "/api/v1/orders", token: token)
        guard response.status == .ok else { return [] }
        struct Page: Decodable { var items: [OrderSummary] }
        return try JSONDecoder().decode(Page.self, from: Data(response.body)).items
    }
}

/// An order as these tests look at it.
struct OrderSummary: Decodable, Sendable {
    var id: String
    var status: String
}

struct CheckoutBody: Encodable {
    var addressId: String
    var card: CardBody
}

/// Part of the fixture catalog, for systems that start fast: its first products, and every so many after them.
enum SmallCatalog {
    /// Writes the catalog document with the first `first` products and then every `every`th; its path.
    static func write(in directory: TemporaryDirectory, first: Int = 8, every: Int? = nil) throws -> String {
        var document = try fixture()
        document["products"] = try products(first: first, every: every)
        let path = directory.path("small-catalog.json")
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// How many products ``write(in:first:every:)`` writes.
    static func count(first: Int = 8, every: Int? = nil) -> Int {
        (try? products(first: first, every: every).count) ?? 0
    }

    private static func products(first: Int, every: Int?) throws -> [Any] {
        let all = try fixture()["products"] as? [Any] ?? []
        return all.enumerated().filter { index, _ in index < first || every.map { index % $0 == 0 } == true }.map(\.element)
    }

    private static func fixture() throws -> [String: Any] {
        let url = try #require(EmporiumConfiguration.fixtureCatalog)
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}
