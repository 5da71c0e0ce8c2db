import Commerce
import Emporium
import Foundation
import HTTP
import InventoryAPI
import OrdersAPI
import ServiceKit
import TestSupport
import Testing

extension WholeSystem {
    /// The administrators' views the dashboard polls: orders per status, the sagas in flight, and stock per warehouse
    /// with the low products marked. Customers and anonymous callers are refused.
    @Suite struct AdminOperationsRoutesTests {
        @Test func ordersAreCountedPerStatusAndNoSagaIsLeftInFlight() async throws {
            try await ShopHarness.with(configure: CheckoutEndToEndTests.stocked) { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let (token, addressId) = try await CheckoutEndToEndTests.shopper(shop, "ops@example.com")
                let none = try shop.decode(OrdersSummary.self, from: try await shop.send(.get, "/api/v1/admin/orders/summary", token: admin))
                #expect(none.total == 0)
                #expect(none.byStatus.map(\.status) == OrderStatus.allCases)

                try await CheckoutEndToEndTests.add(shop, token, "p-00002", 1)
                let paid = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "ops-1"],
                    json: CheckoutBody(addressId: addressId, card: CheckoutEndToEndTests.card())
                )
                #expect(paid.status.code == 201, "\(paid.text)")
                try await waitUntil("the cart is emptied") {
                    try await shop.send(.get, "/api/v1/cart", token: token).text.contains("\"lines\":[]")
                }
                try await CheckoutEndToEndTests.add(shop, token, "p-00003", 1)
                let declined = try await shop.send(
                    .post,
                    "/api/v1/checkout",
                    token: token,
                    headers: ["Idempotency-Key": "ops-2"],
                    json: CheckoutBody(addressId: addressId, card: CheckoutEndToEndTests.card("4000000000000002"))
                )
                #expect(declined.status.code == 402, "\(declined.text)")

                // The confirmed order's saga goes on with capture and fulfilment; then nothing is in flight.
                try await waitUntil("every saga has finished") {
                    try shop.decode(OpenSagas.self, from: try await shop.send(.get, "/api/v1/admin/sagas", token: admin)).sagas.isEmpty
                }
                let sagas = try await shop.send(.get, "/api/v1/admin/sagas", token: admin)
                #expect(sagas.text == #"{"sagas":[]}"#)
                let summary = try shop.decode(OrdersSummary.self, from: try await shop.send(.get, "/api/v1/admin/orders/summary", token: admin))
                #expect(summary.total == 2)
                #expect(summary.count(.confirmed) == 1)
                #expect(summary.count(.paymentFailed) == 1)

                for path in ["/api/v1/admin/orders/summary", "/api/v1/admin/sagas", "/api/v1/admin/inventory"] {
                    #expect(try await shop.send(.get, path, token: token).status.code == 403, "\(path)")
                    #expect(try await shop.send(.get, path).status.code == 401, "\(path)")
                }
                // The order routes beside them still find orders by id.
                #expect(try await shop.send(.get, "/api/v1/admin/orders/o-00000000000000000000", token: admin).status.code == 404)
            }
        }

        @Test func stockIsListedPageByPageWithTheLowProductsMarked() async throws {
            try await ShopHarness.with(configure: CheckoutEndToEndTests.stocked) { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let all = try shop.decode(StockPage.self, from: try await shop.send(.get, "/api/v1/admin/inventory?limit=100", token: admin))
                // Every product the seed stocked (the catalog's active ones), on one page.
                #expect(all.items.count > 50 && all.items.count <= ShopHarness.seededProducts)
                #expect(all.nextCursor == nil)
                #expect(all.items.map(\.productId.rawValue) == all.items.map(\.productId.rawValue).sorted())
                #expect(all.items.allSatisfy { $0.warehouses.map(\.warehouse) == ["berlin", "rotterdam"] })

                // The seed leaves a few products low or out of stock; the low list is exactly those, page by page.
                let expected = all.items.filter(\.low).map(\.productId)
                #expect(!expected.isEmpty)
                #expect(all.items.filter(\.low).allSatisfy { $0.status != .inStock && $0.available <= $0.lowStockThreshold })
                var low: [ProductID] = []
                var cursor: String?
                repeat {
                    let query = "/api/v1/admin/inventory?low=true&limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try shop.decode(StockPage.self, from: try await shop.send(.get, query, token: admin))
                    #expect(page.items.count <= 3)
                    low += page.items.map(\.productId)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(low == expected)

                let notBoolean = try await shop.send(.get, "/api/v1/admin/inventory?low=yes", token: admin)
                #expect(notBoolean.status.code == 400)
                #expect(notBoolean.text.contains("low"))
                #expect(try await shop.send(.get, "/api/v1/admin/inventory?limit=0", token: admin).status.code == 400)
            }
        }
    }
}
