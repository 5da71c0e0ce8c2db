import CartAPI
import Commerce
import Emporium
import Foundation
import HTTP
import InventoryAPI
import ModuleKit
import OrdersAPI
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing
import WarehouseAPI

extension WholeSystem {
    /// Buying over HTTP in the whole system: cart, checkout through the saga, and what follows an order.
    @Suite struct CheckoutEndToEndTests {
        static let address = ["name": "Ada Lovelace", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"]

        static func card(_ number: String = "4242424242424242") -> CardBody { CardBody(number: number, expMonth: 12, expYear: 2031, cvc: "123") }

        /// Registers, logs in, saves an address; the token and the address id.
        static func shopper(_ shop: ShopHarness, _ email: String) async throws -> (token: String, addressId: String) {
            let registered = try await shop.send(.post, "/api/v1/auth/register", json: ["email": email, "password": "correct horse battery"])
            #expect(registered.status.code == 201, "\(registered.text)")
            let token = try await shop.login(email, "correct horse battery")
            struct Saved: Decodable { var id: String }
            let saved = try shop.decode(
                Saved.self,
                from: try await shop.send(.post, "/api/v1/me/addresses", token: token, json: address),
                status: 201
            )
            return (token, saved.id)
        }

        static func add(_ shop: ShopHarness, _ token: String, _ product: String, _ quantity: Int) async throws {
            struct Item: Encodable {
                var productId: String
                var quantity: Int
            }
            let response = try await shop.send(.post, "/api/v1/cart/items", token: token, json: Item(productId: product, quantity: quantity))
            #expect(response.status == .ok, "\(response.text)")
        }

        static func stocked(_ configuration: inout EmporiumConfiguration) {
            configuration.settings["inventory.seed"] = "fixture"
            configuration.settings["warehouse.fulfilment"] = "manual"
        }

        @Test func aPurchaseIsConfirmedPaidAndReplayedAndCancellingRefundsAndRestocks() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let (token, addressId) = try await Self.shopper(shop, "ada@example.com")
                let inventory = InventoryClient(client: shop.system.client)
                let before = try await inventory.availability("p-00002").available
                try await Self.add(shop, token, "p-00002", 2)
                let body = CheckoutBody(addressId: addressId, card: Self.card())
                let placed = try await shop.send(.post, "/api/v1/checkout", token: token, headers: ["Idempotency-Key": "buy-1"], json: body)
                let order = try shop.decode(Order.self, from: placed, status: 201)
                #expect(order.status == .confirmed)
                #expect(order.number.hasPrefix("EMP-"))
                #expect(placed.headers.first(name: "Location") == "/api/v1/orders/\(order.id.rawValue)")
                #expect(order.lines.map(\.quantity) == [2])
                #expect(order.payment?.last4 == "4242")
                // The cart is empty now; the same key is the same order, replayed.
                // The cart's lines leave it right after the confirmation, in the background.
                try await waitUntil("the cart is emptied") {
                    try await shop.send(.get, "/api/v1/cart", token: token).text.contains("\"lines\":[]")
                }
                let replay = try await shop.send(.post, "/api/v1/checkout", token: token, headers: ["Idempotency-Key": "buy-1"], json: body)
                #expect(replay.status.code == 201)
                #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
                #expect(try shop.decode(Order.self, from: replay, status: 201).id == order.id)
                #expect(try await inventory.availability("p-00002").available == before - 2)

                // Cancelled before it shipped: the money comes back, the stock too.
                // Once the saga has captured and asked for fulfilment (until then a cancel is asked to wait).
                try await waitUntil("the payment is captured and fulfilment requested") {
                    let now = try shop.decode(Order.self, from: try await shop.send(.get, "/api/v1/orders/\(order.id.rawValue)", token: token))
                    return now.payment?.captured.isZero == false && now.timeline.contains { $0.step == "fulfilment-requested" }
                }
                let cancelled = try shop.decode(
                    Order.self,
                    from: try await shop.send(.post, "/api/v1/orders/\(order.id.rawValue)/cancel", token: token)
                )
                #expect(cancelled.status == .cancelled)
                #expect(cancelled.payment?.refunded == cancelled.payment?.captured)
                #expect(try await inventory.availability("p-00002").available == before)
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                try await waitUntil("the audit is clean") {
                    let audit = try await shop.send(.get, "/api/v1/admin/audit", token: admin)
                    return audit.status == .ok && audit.text.contains("\"violations\":[]")
                }
            }
        }

        @Test func aDeliveredOrderIsReturnedInPartWithAnExactRefundAndTheStockBack() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let (token, addressId) = try await Self.shopper(shop, "ada@example.com")
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let inventory = InventoryClient(client: shop.system.client)
                try await Self.add(shop, token, "p-00006", 3)
                let placed = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-3"],
                    json: CheckoutBody(addressId: addressId, card: Self.card())
                )
                let order = try shop.decode(Order.self, from: placed, status: 201)
                let path = "/api/v1/orders/\(order.id.rawValue)"
                // The carrier is manual here: an administrator moves each shipment to the customer's door.
                var shipments: [OrderShipment] = []
                try await waitUntil("fulfilment made the shipments") {
                    shipments = try shop.decode(Order.self, from: try await shop.send(.get, path, token: token)).shipments
                    return !shipments.isEmpty
                }
                for shipment in shipments {
                    for _ in 0..<4 {
                        let advanced = try await shop.send(.post, "/api/v1/admin/shipments/\(shipment.id.rawValue)/advance", token: admin)
                        #expect(advanced.status == .ok, "\(advanced.text)")
                    }
                }
                try await waitUntil("the order is delivered") {
                    try shop.decode(Order.self, from: try await shop.send(.get, path, token: token)).status == .delivered
                }
                let afterSale = try await inventory.stock("p-00006").warehouses.reduce(0) { $0 + $1.onHand }
                struct Returned: Encodable {
                    struct Line: Encodable {
                        var productId: String
                        var quantity: Int
                    }
                    var lines: [Line]
                }
                let response = try await shop.send(
                    .post,
                    "\(path)/returns",
                    token: token,
                    json: Returned(lines: [Returned.Line(productId: "p-00006", quantity: 1)])
                )
                let returned = try shop.decode(Order.self, from: response, status: 201)
                // One of three units back: a third of the total (shipping and VAT included), to the cent.
                let third = try order.totals.total.allocated(over: [1, 1, 1])
                try await waitUntil("the refund is issued") {
                    let now = try shop.decode(Order.self, from: try await shop.send(.get, path, token: token))
                    return now.payment?.refunded == third[0] || now.payment?.refunded == third[2]
                }
                #expect(returned.returns.count == 1)
                #expect(try await inventory.stock("p-00006").warehouses.reduce(0) { $0 + $1.onHand } == afterSale + 1)
                // Four units were never bought: refused.
                let tooMany = try await shop.send(
                    .post,
                    "\(path)/returns",
                    token: token,
                    json: Returned(lines: [Returned.Line(productId: "p-00006", quantity: 4)])
                )
                #expect(tooMany.status.code == 409, "\(tooMany.text)")
                #expect(tooMany.text.contains("urn:emporium:problem:return-refused"))
            }
        }

        struct RefundBody: Encodable { var amount: Money }

        @Test func theAuditReportsARefundTheOrderDoesNotKnowOf() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let (token, addressId) = try await Self.shopper(shop, "ada@example.com")
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                try await Self.add(shop, token, "p-00002", 1)
                let placed = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-audited"],
                    json: CheckoutBody(addressId: addressId, card: Self.card())
                )
                let order = try shop.decode(Order.self, from: placed, status: 201)
                var intent: String?
                try await waitUntil("the saga has captured and asked for fulfilment") {
                    let now = try shop.decode(Order.self, from: try await shop.send(.get, "/api/v1/orders/\(order.id.rawValue)", token: token))
                    intent = now.payment?.intentId.rawValue
                    return now.timeline.contains { $0.step == "fulfilment-requested" }
                }
                try await waitUntil("the audit is clean") {
                    try await shop.send(.get, "/api/v1/admin/audit", token: admin).text.contains("\"violations\":[]")
                }
                // Money given back behind the order's back: Payments and the order now disagree, and the audit says so.
                let refund = try await shop.send(
                    .post,
                    "/api/v1/admin/payments/\(try #require(intent))/refunds",
                    token: admin,
                    headers: ["Idempotency-Key": "stray-refund"],
                    json: RefundBody(amount: Money(minorUnits: 100, currency: "EUR"))
                )
                #expect(refund.status.code == 201, "\(refund.text)")
                let audit = try await shop.send(.get, "/api/v1/admin/audit", token: admin)
                #expect(audit.text.contains("\"check\":\"payment\""), "\(audit.text)")
                #expect(audit.text.contains("\"orderId\":\"\(order.id.rawValue)\""), "\(audit.text)")
            }
        }

        @Test func aGuestCartJoinsTheAccountAtLoginAndAStaleWriteIs412() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                struct Item: Encodable {
                    var productId: String
                    var quantity: Int
                }
                let guest = try await shop.send(.post, "/api/v1/cart/items", json: Item(productId: "p-00007", quantity: 2))
                #expect(guest.status == .ok, "\(guest.text)")
                let cartToken = try #require(guest.headers.first(name: "X-Cart-Token"))
                #expect(guest.headers.first(name: "ETag") == "\"1\"")
                let again = try await shop.send(
                    .post,
                    "/api/v1/cart/items",
                    headers: ["X-Cart-Token": cartToken, "If-Match": "\"1\""],
                    json: Item(productId: "p-00007", quantity: 1)
                )
                #expect(again.headers.first(name: "ETag") == "\"2\"")
                #expect(again.headers.first(name: "X-Cart-Token") == nil)
                // Another tab still holds version 1.
                let stale = try await shop.send(
                    .put,
                    "/api/v1/cart/items/p-00007",
                    headers: ["X-Cart-Token": cartToken, "If-Match": "\"1\""],
                    json: ["quantity": 5]
                )
                #expect(stale.status.code == 412, "\(stale.text)")
                #expect(stale.text.contains("urn:emporium:problem:version-conflict"))
                // At login the guest's lines join the account's cart.
                let (token, _) = try await Self.shopper(shop, "gus@example.com")
                try await Self.add(shop, token, "p-00007", 1)
                let merged = try await shop.send(.post, "/api/v1/cart/merge", token: token, json: ["cartToken": cartToken])
                #expect(merged.status == .ok, "\(merged.text)")
                #expect(merged.text.contains("\"quantity\":4"), "\(merged.text)")
                let emptied = try await shop.send(.get, "/api/v1/cart", headers: ["X-Cart-Token": cartToken])
                #expect(emptied.text.contains("\"lines\":[]"), "\(emptied.text)")
            }
        }

        @Test func withPaymentsFailingItsBreakerOpensAndACheckoutFailsFastWith503ThenRecoversOnceHealed() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let (token, addressId) = try await Self.shopper(shop, "eve@example.com")
                try await Self.add(shop, token, "p-00005", 1)
                let before = try await InventoryClient(client: shop.system.client).availability("p-00005").available
                // Payments fails every call: a hundred failed reads open its breaker (half the window failing).
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                #expect(try await shop.send(.put, "/admin/faults/payments", token: admin, json: ["errorRate": 1.0]).status.code == 200)
                let payments = PaymentsClient(client: shop.system.client)
                try await waitUntil("the payments breaker opens") {
                    _ = try? await payments.payments(PaymentQuery(limit: 1))
                    return shop.system.client.breakers["payments"]?.state == .open
                }

                let started = ContinuousClock.now
                let refused = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-while-down"],
                    json: CheckoutBody(addressId: addressId, card: Self.card())
                )
                #expect(ContinuousClock.now - started < .seconds(5), "fails fast, without waiting out retries")
                #expect(refused.status.code == 503, "\(refused.text)")
                #expect(refused.headers.first(name: "Retry-After") == "10")
                #expect(refused.text.contains("urn:emporium:problem:payments-unavailable") && refused.text.contains("\"orderId\""))
                let location = try #require(refused.headers.first(name: "Location"))
                let order = try shop.decode(Order.self, from: try await shop.send(.get, location, token: token))
                #expect(order.status == .paymentFailed && order.payment == nil)
                #expect(order.timeline.contains { $0.step == "payment-unavailable" })
                #expect(try await InventoryClient(client: shop.system.client).availability("p-00005").available == before, "the stock is back")
                #expect(!(try await shop.send(.get, "/api/v1/cart", token: token)).text.contains("\"lines\":[]"), "the cart is kept")

                // Healed: within the breaker's 10 s wait and its probes, checkouts go through again.
                #expect(try await shop.send(.delete, "/admin/faults/payments", token: admin).status.code == 200)
                try await waitUntil("the payments breaker closes", timeout: .seconds(30)) {
                    _ = try? await payments.payments(PaymentQuery(limit: 1))
                    return shop.system.client.breakers["payments"]?.state == .closed
                }
                let bought = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-after-healing"],
                    json: CheckoutBody(addressId: addressId, card: Self.card())
                )
                #expect(bought.status.code == 201, "\(bought.text)")
            }
        }

        @Test func aCheckoutUndoneBeforeItsAnswerIs503CheckoutFailedNot201() async throws {
            try await ShopHarness.with(
                configure: {
                    Self.stocked(&$0)
                    $0.settings["orders.retry-backoff"] = "0.01"
                },
                { shop in
                    let (token, addressId) = try await Self.shopper(shop, "mallory@example.com")
                    try await Self.add(shop, token, "p-00006", 1)
                    let before = try await InventoryClient(client: shop.system.client).availability("p-00006").available
                    // Every reservation fails without an answer: the saga retries, then releases and cancels.
                    shop.system.client.faults.setFault(.init(errorRate: 1), for: "inventory.reserve")
                    let answer = try await shop.send(
                        .post,
                        "/api/v1/checkout",
                        token: token,
                        headers: ["Idempotency-Key": "buy-undone"],
                        json: CheckoutBody(addressId: addressId, card: Self.card())
                    )
                    shop.system.client.faults.setFault(nil, for: "inventory.reserve")
                    #expect(answer.status.code == 503, "\(answer.text)")
                    #expect(answer.text.contains("urn:emporium:problem:checkout-failed") && answer.text.contains("\"orderId\""))
                    let location = try #require(answer.headers.first(name: "Location"))
                    let order = try shop.decode(Order.self, from: try await shop.send(.get, location, token: token))
                    #expect(order.status == .cancelled && order.payment == nil)
                    #expect(try await InventoryClient(client: shop.system.client).availability("p-00006").available == before)
                    #expect(!(try await shop.send(.get, "/api/v1/cart", token: token)).text.contains("\"lines\":[]"), "the cart is kept")
                }
            )
        }

        @Test func aDeclineIs402WithTheCodeAndShortStockIs409NamingTheLineAndTheCartIsKept() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let (token, addressId) = try await Self.shopper(shop, "bob@example.com")
                try await Self.add(shop, token, "p-00003", 1)
                let declined = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-declined"],
                    json: CheckoutBody(addressId: addressId, card: Self.card("4000000000009995"))
                )
                #expect(declined.status.code == 402, "\(declined.text)")
                #expect(declined.text.contains("\"declineCode\":\"insufficient_funds\""))
                #expect(declined.text.contains("\"orderId\""))
                #expect(!(try await shop.send(.get, "/api/v1/cart", token: token)).text.contains("\"lines\":[]"))

                let available = try await InventoryClient(client: shop.system.client).availability("p-00004").available
                try await Self.add(shop, token, "p-00004", min(99, available + 1))
                let short = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "buy-short"],
                    json: CheckoutBody(addressId: addressId, card: Self.card())
                )
                #expect(short.status.code == 409, "\(short.text)")
                #expect(short.text.contains("\"lines\":[{"), "\(short.text)")
                #expect(short.text.contains("\"productId\":\"p-00004\""))
            }
        }

        @Test func anotherCustomersOrderIsNotFoundOnEveryRoute() async throws {
            try await ShopHarness.with(configure: Self.stocked) { shop in
                let ada = try await Self.shopper(shop, "ada@example.com")
                let eve = try await Self.shopper(shop, "eve@example.com")
                try await Self.add(shop, ada.token, "p-00005", 1)
                let placed = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: ada.token,
                    headers: ["Idempotency-Key": "ada-1"],
                    json: CheckoutBody(addressId: ada.addressId, card: Self.card())
                )
                let order = try shop.decode(Order.self, from: placed, status: 201)
                let id = order.id.rawValue
                struct Returned: Encodable {
                    struct Line: Encodable {
                        var productId: String
                        var quantity: Int
                    }
                    var lines: [Line]
                }
                let returned = Returned(lines: [Returned.Line(productId: "p-00005", quantity: 1)])
                for (method, path, body) in [
                    (HTTPMethod.get, "/api/v1/orders/\(id)", nil as Returned?),
                    (.post, "/api/v1/orders/\(id)/cancel", nil),
                    (.post, "/api/v1/orders/\(id)/returns", returned),
                ] {
                    let response = try await shop.send(method, path, token: eve.token, json: body)
                    #expect(response.status == .notFound, "\(method) \(path): \(response.text)")
                }
                // Ada's address id in Eve's checkout is not found either.
                try await Self.add(shop, eve.token, "p-00005", 1)
                let borrowed = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: eve.token,
                    headers: ["Idempotency-Key": "eve-1"],
                    json: CheckoutBody(addressId: ada.addressId, card: Self.card())
                )
                #expect(borrowed.status == .notFound, "\(borrowed.text)")
                #expect(try shop.decode(OrderPage.self, from: try await shop.send(.get, "/api/v1/orders", token: eve.token)).items.isEmpty)
            }
        }
    }
}
