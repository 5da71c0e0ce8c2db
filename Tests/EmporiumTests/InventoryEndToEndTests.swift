import Commerce
import Emporium
import Foundation
import HTTP
import InventoryAPI
import ModuleKit
import ServiceKit
import TestSupport
import Testing
import WarehouseAPI

extension WholeSystem {
    /// Inventory over HTTP in the whole system: the seed stocks the catalog, shoppers read availability, administrators
    /// correct stock, and availability follows at once.
    @Suite struct InventoryEndToEndTests {
        @Test func anAdminAdjustsStockAndAvailabilityFollows() async throws {
            try await ShopHarness.with(
                configure: { $0.settings["inventory.seed"] = "fixture" },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    let before = try shop.decode(Availability.self, from: try await shop.send(.get, "/api/v1/products/p-00001/availability"))
                    #expect(before.productId == "p-00001")
                    #expect(before.available > 0)
                    let stock = try shop.decode(ProductStock.self, from: try await shop.send(.get, "/api/v1/admin/inventory/p-00001", token: admin))
                    #expect(stock.warehouses.map(\.warehouse) == ["berlin", "rotterdam"])
                    #expect(stock.warehouses.reduce(0) { $0 + $1.available } == before.available)

                    // Everything goes from Berlin and Rotterdam but one unit: low stock, and the shopper sees it at once.
                    for level in stock.warehouses where level.onHand > 0 {
                        let delta = -(level.onHand - (level.warehouse == "berlin" ? 1 : 0))
                        guard delta != 0 else { continue }
                        let response = try await shop.send(
                            .post,
                            "/api/v1/admin/inventory/p-00001/adjustments",
                            token: admin,
                            json: Adjustment(warehouse: level.warehouse.rawValue, delta: delta, reason: "stock count")
                        )
                        #expect(response.status == .ok, "\(response.text)")
                    }
                    let after = try shop.decode(Availability.self, from: try await shop.send(.get, "/api/v1/products/p-00001/availability"))
                    #expect(after == Availability(productId: "p-00001", available: 1, status: .lowStock))

                    // Below zero is refused with a sentence, an unknown warehouse too; customers may not adjust at all.
                    let tooMuch = try await shop.send(
                        .post,
                        "/api/v1/admin/inventory/p-00001/adjustments",
                        token: admin,
                        json: Adjustment(warehouse: "berlin", delta: -5, reason: "stock count")
                    )
                    #expect(tooMuch.status.code == 409)
                    #expect(tooMuch.text.contains("urn:emporium:problem:adjustment-below-reserved"))
                    let nowhere = try await shop.send(
                        .post,
                        "/api/v1/admin/inventory/p-00001/adjustments",
                        token: admin,
                        json: Adjustment(warehouse: "paris", delta: 1, reason: "found")
                    )
                    #expect(nowhere.status.code == 422)
                    #expect(nowhere.text.contains("No warehouse has the id paris."))
                    // Found by schemathesis: the smallest 64-bit delta took the whole process down; it is a 422 like any
                    // delta beyond ±1000000, and the system goes on answering.
                    for delta in [Int.min, Int.max] {
                        let extreme = try await shop.send(
                            .post,
                            "/api/v1/admin/inventory/p-00001/adjustments",
                            token: admin,
                            json: Adjustment(warehouse: "berlin", delta: delta, reason: "stock count")
                        )
                        #expect(extreme.status.code == 422, "\(extreme.text)")
                        #expect(extreme.text.contains("The request is not valid: delta must be within ±1000000."))
                    }
                    #expect(try await shop.send(.get, "/api/v1/admin/inventory/p-00001").status.code == 401)
                }
            )
        }

        @Test func searchFollowsStockAnAdminAdjusts() async throws {
            try await ShopHarness.with(
                configure: { $0.settings["inventory.seed"] = "fixture" },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    struct Named: Decodable { var name: String }
                    struct Hits: Decodable {
                        struct Hit: Decodable {
                            var productID: String
                            var stock: String?
                        }
                        var hits: [Hit]
                    }
                    let product = try shop.decode(Named.self, from: try await shop.send(.get, "/api/v1/products/p-00001"))
                    let word = try #require(product.name.split(separator: " ").first.map(String.init))
                    func hit(inStock: Bool) async throws -> Hits.Hit? {
                        let response = try await shop.send(.get, "/api/v1/search?q=\(word)&limit=100&inStock=\(inStock)&_=\(UUID().uuidString)")
                        return try shop.decode(Hits.self, from: response).hits.first { $0.productID == "p-00001" }
                    }
                    try await waitUntil("search knows p-00001 is in stock") { try await hit(inStock: true)?.stock == "in-stock" }

                    let stock = try shop.decode(ProductStock.self, from: try await shop.send(.get, "/api/v1/admin/inventory/p-00001", token: admin))
                    for level in stock.warehouses where level.onHand > 0 {
                        let body = Adjustment(warehouse: level.warehouse.rawValue, delta: -level.onHand, reason: "sold out")
                        #expect(try await shop.send(.post, "/api/v1/admin/inventory/p-00001/adjustments", token: admin, json: body).status == .ok)
                    }
                    try await waitUntil("search shows p-00001 out of stock") { try await hit(inStock: false)?.stock == "out-of-stock" }
                    #expect(try await hit(inStock: true) == nil)
                }
            )
        }

        /// Stock reserved for an order leaves once through the warehouse: fulfilment makes a shipment per warehouse
        /// the reservation holds stock in, each shipment commits its stock when it ships, and the ledger accounts for it.
        @Test func reservedStockShipsOnceThroughTheWarehouse() async throws {
            try await ShopHarness.with(
                configure: { $0.settings["inventory.seed"] = "fixture" },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    let inventory = InventoryClient(client: shop.system.client)
                    let warehouse = WarehouseClient(client: shop.system.client)
                    let before = try await inventory.stock("p-00001")
                    let onHand = before.warehouses.reduce(0) { $0 + $1.onHand }
                    let reserved = try await inventory.reserve(
                        ReservationRequest(orderId: "o-e2e", lines: [ReservationLine(productId: "p-00001", quantity: try Quantity(2))])
                    )
                    let shipments = try await warehouse.fulfil(FulfilmentRequest(orderId: "o-e2e"))
                    #expect(Set(shipments.map(\.warehouse)) == Set(reserved.allocations.map(\.warehouse)))
                    #expect(try await warehouse.fulfil(FulfilmentRequest(orderId: "o-e2e")).map(\.id) == shipments.map(\.id))

                    for shipment in shipments {
                        var status = shipment.status
                        while status != .shipped {
                            let response = try await shop.send(.post, "/api/v1/admin/shipments/\(shipment.id.rawValue)/advance", token: admin)
                            status = try shop.decode(Shipment.self, from: response).status
                        }
                        let cancel = try await shop.send(.post, "/api/v1/admin/shipments/\(shipment.id.rawValue)/cancel", token: admin)
                        #expect(cancel.status.code == 409, "a shipped shipment cannot be cancelled")
                    }
                    let after = try await inventory.stock("p-00001")
                    #expect(after.warehouses.reduce(0) { $0 + $1.onHand } == onHand - 2)
                    #expect(after.warehouses.map(\.reserved) == before.warehouses.map(\.reserved))
                    #expect(try await inventory.reservation("o-e2e").status == .committed)
                    #expect(try await inventory.checkLedger().mismatches.isEmpty)
                }
            )
        }

        private struct Adjustment: Encodable {
            var warehouse: String
            var delta: Int
            var reason: String
        }
    }
}
