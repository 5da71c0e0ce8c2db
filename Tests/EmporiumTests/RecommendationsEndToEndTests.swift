import Commerce
import Emporium
import Foundation
import HTTP
import ServiceKit
import TestSupport
import Testing

extension WholeSystem {
    /// Recommendations over HTTP in the whole system: learned from real checkouts and cart additions, a product page's
    /// "bought together", the store's view reports, a customer's own recommendations, and the administrators' rebuild.
    @Suite struct RecommendationsEndToEndTests {
        struct Listing: Decodable {
            struct Item: Decodable {
                var productId: String
                var name: String
                var price: Money
                var score: Double
                var reason: String
            }
            var items: [Item]
            var strategy: String
        }

        struct Report: Decodable {
            var interactions: Int
            var products: Int
            var customers: Int
            var pairs: Int
            var seconds: Double
        }

        static let sconce = "p-00003"
        static let table = "p-00005"

        /// Buys one sconce and one coffee table through the cart and the checkout saga; returns the shopper's token.
        static func buyBoth(_ shop: ShopHarness, _ email: String) async throws -> String {
            let (token, addressId) = try await CheckoutEndToEndTests.shopper(shop, email)
            try await CheckoutEndToEndTests.add(shop, token, sconce, 1)
            try await CheckoutEndToEndTests.add(shop, token, table, 1)
            let placed = try await shop.send(
                .post,
                "/api/v1/checkout",
                token: token,
                headers: ["Idempotency-Key": "buy-\(email)"],
                json: CheckoutBody(addressId: addressId, card: CheckoutEndToEndTests.card())
            )
            #expect(placed.status.code == 201, "\(placed.text)")
            return token
        }

        @Test func customersWhoBoughtTheSconceAlsoBoughtTheTable() async throws {
            try await ShopHarness.with(configure: CheckoutEndToEndTests.stocked) { shop in
                let ada = try await Self.buyBoth(shop, "ada@example.com")
                _ = try await Self.buyBoth(shop, "grace@example.com")

                // A third shopper, signed in or not, sees the table on the sconce's page once the orders are learned.
                let (third, _) = try await CheckoutEndToEndTests.shopper(shop, "edsger@example.com")
                var page = Listing(items: [], strategy: "")
                try await waitUntil("the sconce's page recommends the table") {
                    page = try shop.decode(Listing.self, from: try await shop.send(.get, "/api/v1/products/\(Self.sconce)/recommendations"))
                    return page.items.first?.productId == Self.table
                }
                #expect(page.strategy == "bought-together")
                #expect(page.items.first?.reason == "bought-together")
                #expect(page.items.first?.name == "Vestra Marble Coffee Table Round")
                #expect(page.items.first?.price.currency == "EUR")
                #expect(page.items.count == 10)
                #expect(!page.ids.contains(Self.sconce))
                let signedIn = try shop.decode(
                    Listing.self,
                    from: try await shop.send(.get, "/api/v1/products/\(Self.sconce)/recommendations?limit=3", token: third)
                )
                #expect(signedIn.ids.count == 3 && signedIn.ids.first == Self.table)

                // The store reports views; nothing comes back.
                let viewed = try await shop.send(.post, "/api/v1/events/product-viewed", token: third, json: ["productId": Self.table])
                #expect(viewed.status.code == 202, "\(viewed.text)")
                #expect(viewed.body.isEmpty)
                #expect(try await shop.send(.post, "/api/v1/events/product-viewed", json: ["productId": Self.sconce]).status.code == 202)
                let unknown = try await shop.send(.post, "/api/v1/events/product-viewed", json: ["productId": "p-99999"])
                #expect(unknown.status.code == 404)
                #expect(try shop.decode(ProblemBody.self, from: unknown, status: 404).detail == "No product has the id p-99999.")
                #expect(try await shop.send(.get, "/api/v1/products/p-99999/recommendations").status.code == 404)
                let tooMany = try await shop.send(.get, "/api/v1/products/\(Self.sconce)/recommendations?limit=51")
                #expect(tooMany.status.code == 400)
                #expect(
                    try shop.decode(ProblemBody.self, from: tooMany, status: 400).detail
                        == "The recommendations query is not valid: limit must be from 1 to 50."
                )

                // A customer's own recommendations need their token, and leave out what they bought.
                let anonymous = try await shop.send(.get, "/api/v1/me/recommendations")
                #expect(anonymous.status.code == 401)
                let mine = try shop.decode(Listing.self, from: try await shop.send(.get, "/api/v1/me/recommendations?limit=20", token: ada))
                #expect(mine.items.count == 20)
                #expect(!mine.ids.contains(Self.sconce) && !mine.ids.contains(Self.table))

                // The administrators' rebuild replays the log and changes no answer.
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                #expect(try await shop.send(.post, "/api/v1/admin/recommendations/rebuild", token: ada).status.code == 403)
                let rebuilt = try await shop.send(.post, "/api/v1/admin/recommendations/rebuild", token: admin)
                let report = try shop.decode(Report.self, from: rebuilt)
                // Two orders of two lines, four cart additions, and the views reported so far (at least the two above).
                #expect(report.interactions >= 10)
                #expect(report.pairs >= 2)
                #expect(report.customers >= 2)
                let again = try shop.decode(Listing.self, from: try await shop.send(.get, "/api/v1/products/\(Self.sconce)/recommendations"))
                #expect(again.ids.first == Self.table)
            }
        }
    }
}

extension WholeSystem.RecommendationsEndToEndTests.Listing {
    /// The recommended products' ids, best first.
    var ids: [String] { items.map(\.productId) }
}
