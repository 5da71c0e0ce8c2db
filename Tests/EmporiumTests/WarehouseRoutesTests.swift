import Foundation
import HTTP
import Testing

extension WholeSystem {
    /// Warehouse's administration routes on the real system: the role they need, their inputs, and their failures as
    /// problems with Warehouse's own types.
    @Suite struct WarehouseRoutesTests {
        struct Problem: Decodable {
            struct FieldError: Decodable, Equatable {
                var field: String
                var message: String
            }
            var type: String
            var status: Int
            var detail: String?
            var errors: [FieldError]?
        }

        struct Listed: Decodable {
            var id: String
            var status: String
        }

        @Test func shipmentsAndPurchaseOrdersAreAnAdministratorsAndNameWhatIsMissing() async throws {
            try await ShopHarness.with { shop in
                #expect(try await shop.send(.get, "/api/v1/admin/shipments").status.code == 401)
                #expect(try await shop.send(.get, "/api/v1/admin/purchase-orders").status.code == 401)
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)

                #expect(try shop.decode([Listed].self, from: try await shop.send(.get, "/api/v1/admin/shipments", token: admin)).isEmpty)
                #expect(
                    try shop.decode([Listed].self, from: try await shop.send(.get, "/api/v1/admin/shipments?status=packed", token: admin)).isEmpty
                )
                #expect(try shop.decode([Listed].self, from: try await shop.send(.get, "/api/v1/admin/purchase-orders", token: admin)).isEmpty)

                let status = try shop.decode(
                    Problem.self,
                    from: try await shop.send(.get, "/api/v1/admin/shipments?status=lost", token: admin),
                    status: 400
                )
                #expect(status.errors?.map(\.field) == ["status"])
                let limit = try shop.decode(
                    Problem.self,
                    from: try await shop.send(.get, "/api/v1/admin/shipments?limit=0", token: admin),
                    status: 422
                )
                #expect(limit.type == "urn:emporium:problem:validation-failed")
                #expect(limit.errors == [.init(field: "limit", message: "must be between 1 and 1000")])

                for (method, path) in [
                    (HTTPMethod.get, "/api/v1/admin/shipments/shp-none"), (.post, "/api/v1/admin/shipments/shp-none/advance"),
                    (.post, "/api/v1/admin/shipments/shp-none/cancel"),
                ] {
                    let missing = try shop.decode(Problem.self, from: try await shop.send(method, path, token: admin), status: 404)
                    #expect(missing.type == "urn:emporium:problem:shipment-not-found")
                    #expect(missing.detail == "No shipment has the id shp-none.")
                }
                let order = try shop.decode(
                    Problem.self,
                    from: try await shop.send(.post, "/api/v1/admin/purchase-orders/po-none/receive", token: admin),
                    status: 404
                )
                #expect(order.type == "urn:emporium:problem:purchase-order-not-found")
            }
        }
    }
}
