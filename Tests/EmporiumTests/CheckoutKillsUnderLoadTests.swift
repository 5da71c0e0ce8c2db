import Foundation
import HTTP
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension WholeSystem {
    /// The served binary under concurrent checkouts, killed with SIGKILL at random moments and started again, twenty
    /// times: every order a client was answered `201` for exists and is paid, no card was charged without an order,
    /// no stock was lost or invented, and the audit is clean.
    @Suite struct CheckoutKillsUnderLoadTests {
        static let kills = 20
        static let shoppers = 4
        static let products = ["p-00001", "p-00002", "p-00003", "p-00004", "p-00005", "p-00006"]

        /// What the clients were told, across every life of the server.
        final class Told: Sendable {
            private let state = Mutex<(confirmed: Set<String>, attempts: Int)>(([], 0))
            func confirmed(_ order: String) { state.withLock { _ = $0.confirmed.insert(order) } }
            func attempted() { state.withLock { $0.attempts += 1 } }
            var orders: Set<String> { state.withLock { $0.confirmed } }
            var attempts: Int { state.withLock { $0.attempts } }
        }

        struct Shopper: Sendable {
            var email: String
            var addressId: String
        }

        @Test func twentyKillsDuringCheckoutsLoseNothingAClientWasTold() async throws {
            let directory = try TemporaryDirectory()
            let catalog = try SmallCatalog.write(in: directory)
            let data = directory.path("data")
            let arguments = [
                "--seed", catalog, "--rate-limit", "0", "--set", "warehouse.fulfilment=manual", "--set", "orders.claim-duration=2", "--set",
                "orders.recovery-interval=1",
            ]
            var generator = SystemRandomNumberGenerator()

            // The first life: shoppers and their addresses, and the stock as it starts.
            var server = try await Served.start(data: data, extra: arguments)
            var shoppers: [Shopper] = []
            for number in 0..<Self.shoppers {
                let email = "shopper\(number)@example.com"
                let registered = try await server.send(.post, "/api/v1/auth/register", json: ["email": email, "password": Served.password])
                #expect(registered.status.code == 201, "\(registered.text)")
                let token = try await server.login(email, Served.password)
                shoppers.append(Shopper(email: email, addressId: try await server.address(token: token)))
            }
            let admin = try await server.login(Served.adminEmail, Served.adminPassword)
            let initial = try await Self.onHand(server, admin)

            let told = Told()
            let everyone = shoppers
            for life in 0..<Self.kills {
                if life > 0 { server = try await Served.start(data: data, extra: arguments) }
                let port = server.port
                // Each shopper buys in a loop on a connection of its own until the process dies under it.
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for (index, shopper) in everyone.enumerated() {
                            group.addTask { await Self.shop(shopper, index: index, life: life, port: port, told: told) }
                        }
                    }
                }
                // A random moment: after a random number of further checkout attempts, mid-flight for some of them.
                let target = told.attempts + Int.random(in: 1...(3 * Self.shoppers), using: &generator)
                try await waitUntil("the shoppers make \(target) checkout attempts", timeout: .seconds(60)) { told.attempts >= target }
                server.process.killHard()
                _ = await load.value
                await server.connection.close()
                server.client.shutdown()
            }

            // The last life: recovery settles every saga; then the books must agree with what clients were told.
            server = try await Served.start(data: data, extra: arguments)
            let token = try await server.login(Served.adminEmail, Served.adminPassword)
            try await waitUntil("no saga is left pending", timeout: .seconds(90)) {
                let pending = try await server.send(.get, "/api/v1/admin/orders?status=pending&limit=100", token: token)
                return pending.status == .ok && pending.text.contains("\"items\":[]")
            }
            #expect(told.attempts > Self.kills, "the load made \(told.attempts) checkout attempts")
            #expect(!told.orders.isEmpty, "no checkout was confirmed in \(told.attempts) attempts")
            // Every order a client was told was confirmed exists, stays confirmed, and is paid once recovery has run
            // the steps a kill interrupted (a saga killed between confirmation and capture captures after the restart;
            // one killed in the middle of the capture waits for that request's idempotency lease, a minute, to run out).
            struct Paid: Decodable {
                struct Payment: Decodable {
                    struct Amount: Decodable { var minorUnits: Int }
                    var captured: Amount
                }
                var status: String
                var payment: Payment?
                var timeline: [Step]
                struct Step: Decodable {
                    var step: String
                    var outcome: String
                    var detail: String?
                }
            }
            for order in told.orders {
                var last: Paid?
                let settled = await waitUntil(timeout: .seconds(150)) {
                    guard let response = try? await server.send(.get, "/api/v1/admin/orders/\(order)", token: token), response.status == .ok else {
                        return false
                    }
                    last = try? JSONDecoder().decode(Paid.self, from: Data(response.body))
                    return last?.timeline.contains { $0.step == "fulfilment-requested" } == true
                }
                #expect(settled, "order \(order), confirmed to a client, did not finish its saga: \(String(describing: last))")
                #expect(last?.status == "confirmed", "order \(order) is \(last?.status ?? "missing")")
                #expect((last?.payment?.captured.minorUnits ?? 0) > 0, "order \(order) was confirmed but is not paid")
            }
            try await waitUntil("the audit is clean", timeout: .seconds(60)) {
                let audit = try await server.send(.get, "/api/v1/admin/audit", token: token)
                return audit.status == .ok && audit.text.contains("\"violations\":[]")
            }
            // Nothing ships with a manual carrier: every unit is on hand still, held or free.
            #expect(try await Self.onHand(server, token) == initial)
            await server.stop()
        }

        /// Buys one unit of a product again and again until the connection or the server fails.
        static func shop(_ shopper: Shopper, index: Int, life: Int, port: Int, told: Told) async {
            guard let client = try? HTTPClient() else { return }
            defer { client.shutdown() }
            guard let connection = try? await client.connect(port: port, timeout: .seconds(5)) else { return }
            defer { Task { await connection.close() } }
            func send(
                _ method: HTTPMethod,
                _ target: String,
                token: String?,
                key: String? = nil,
                json: some Encodable
            ) async throws -> HTTPClientResponse {
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
                if let key { headers.add(name: "Idempotency-Key", value: key) }
                return try await connection.send(method, target, headers: headers, body: Array(try JSONEncoder().encode(json)), timeout: .seconds(10))
            }
            do {
                let session = try await send(.post, "/api/v1/auth/login", token: nil, json: ["email": shopper.email, "password": Served.password])
                struct Session: Decodable { var accessToken: String }
                let token = try JSONDecoder().decode(Session.self, from: Data(session.body)).accessToken
                struct Item: Encodable {
                    var productId: String
                    var quantity: Int
                }
                for round in 0... {
                    let product = products[(index + round) % products.count]
                    _ = try await send(.post, "/api/v1/cart/items", token: token, json: Item(productId: product, quantity: 1))
                    told.attempted()
                    let key = "s\(index)-l\(life)-r\(round)"
                    let body = CheckoutBody(
                        addressId: shopper.addressId,
                        card: CardBody(number: "4242424242424242", expMonth: 12, expYear: 2031, cvc: "123")
                    )
                    let answer = try await send(.post, "/api/v1/checkout", token: token, key: key, json: body)
                    if answer.status.code == 201, let order = try? JSONDecoder().decode(OrderSummary.self, from: Data(answer.body)) {
                        told.confirmed(order.id)
                    }
                }
            } catch {
                return
            }
        }

        /// Units on hand per product, all warehouses together.
        static func onHand(_ server: Served, _ token: String) async throws -> [String: Int] {
            var totals: [String: Int] = [:]
            for product in products {
                let response = try await server.send(.get, "/api/v1/admin/inventory/\(product)", token: token)
                struct Stock: Decodable {
                    struct Level: Decodable { var onHand: Int }
                    var warehouses: [Level]
                }
                totals[product] = try JSONDecoder().decode(Stock.self, from: Data(response.body)).warehouses.reduce(0) { $0 + $1.onHand }
            }
            return totals
        }
    }
}
