import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import RecommendationsAPI
import ServiceKit
import TestSupport
import Testing

/// What the module recommends, learned from the events other modules publish and the views the store reports.
@Suite struct RecommendationsTests {
    @Test func productsBoughtTogetherComeBeforeTheBestSeller() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-best"), product("p-c"), product("p-d"))
            var events: [Envelope] = []
            for customer in 1...3 {
                events.append(try placed("c-\(customer)", ["p-a", "p-b"]))
                events.append(try placed("c-\(customer)", ["p-best"]))
            }
            // The best-seller: everyone buys it.
            for customer in 4...15 {
                events.append(try placed("c-\(customer)", ["p-best", customer % 2 == 0 ? "p-c" : "p-d"]))
            }
            try await fixture.publish(events)

            let page = try await fixture.forProduct("p-a")
            #expect(page.strategy == .boughtTogether)
            #expect(page.ids.prefix(2) == ["p-b", "p-best"])
            #expect(page.items.prefix(2).map(\.reason) == [.boughtTogether, .boughtTogether])
            // Cosine: the bundle's partner is as close as can be; the best-seller is shared with everyone.
            #expect(page.items[0].score == 1)
            #expect(page.items[1].score < 0.5)
            #expect(page.items[0].name == "Product p-b")
            #expect(page.items[0].price == Money(minorUnits: 1999, currency: "EUR"))
            // The best-seller is what popularity alone answers.
            let stranger = try await fixture.forCustomer("c-new")
            #expect(stranger.strategy == .popular)
            #expect(stranger.ids.first == "p-best")
            #expect(stranger.items.first?.score == 1)
        }
    }

    @Test func olderCoPurchasesCountLessWithTheHalfLife() async throws {
        func history() throws -> [Envelope] {
            var events: [Envelope] = []
            // Four customers bought the lamp with the shade 200 days ago, three with the bulb yesterday.
            for customer in 1...4 { events.append(try placed("c-old-\(customer)", ["p-lamp", "p-shade"], at: daysAgo(200))) }
            for customer in 1...3 { events.append(try placed("c-new-\(customer)", ["p-lamp", "p-bulb"], at: daysAgo(1))) }
            return events
        }
        let products = [product("p-lamp"), product("p-shade"), product("p-bulb")]
        try await RecommendationsFixture.with(settings: ["recommendations.half-life": "30"]) { fixture in
            try await fixture.publish(try products.map(created) + products.map { try stockLevel($0.id.rawValue, available: 5) })
            try await fixture.publish(try history())
            let page = try await fixture.forProduct("p-lamp")
            #expect(page.ids == ["p-bulb", "p-shade"])
            #expect(page.items[0].score > 0.99)
            #expect(page.items[1].score < 0.02)
            // Popularity decays alike: the bulb's three recent sales outweigh the shade's four old ones.
            #expect(try await fixture.forCustomer("c-new").ids.prefix(2) == ["p-lamp", "p-bulb"])
        }
        // Without decay to speak of, the older pair is the more frequent one.
        try await RecommendationsFixture.with(settings: ["recommendations.half-life": "36500"]) { fixture in
            try await fixture.publish(try products.map(created) + products.map { try stockLevel($0.id.rawValue, available: 5) })
            try await fixture.publish(try history())
            #expect(try await fixture.forProduct("p-lamp").ids == ["p-shade", "p-bulb"])
        }
    }

    @Test func nothingOffSaleOrWithoutStockIsEverSuggested() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-c"), product("p-d"), product("p-f"))
            // Inventory never reported the e: nothing is known to be available.
            try await fixture.publish(try created(product("p-e")))
            var events: [Envelope] = []
            for customer in 1...3 { events.append(try placed("c-\(customer)", ["p-a", "p-b", "p-c", "p-d", "p-e"])) }
            events.append(try placed("c-9", ["p-f"]))
            try await fixture.publish(events)
            #expect(try await fixture.forProduct("p-a").ids == ["p-b", "p-c", "p-d", "p-f"])

            try await fixture.publish(try deactivated(product("p-b", version: 2, active: false)), try stockLevel("p-c", available: 0))
            let page = try await fixture.forProduct("p-a")
            #expect(page.ids == ["p-d", "p-f"])
            #expect(page.items.map(\.reason) == [.boughtTogether, .popularInCategory])
            #expect(try await fixture.forCustomer("c-new").ids == ["p-a", "p-d", "p-f"])
            #expect(try await fixture.forCustomer("c-9").ids == ["p-a", "p-d"])

            // Back in stock, back in the answers; a stale catalog version changes nothing.
            try await fixture.publish(try stockLevel("p-c", available: 3), try updated(product("p-b", version: 1)))
            #expect(try await fixture.forProduct("p-a").ids == ["p-c", "p-d", "p-f"])
        }
    }

    @Test func forYouLeavesOutWhatTheCustomerBought() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-c"), product("p-d", category: "kitchen"))
            var events: [Envelope] = []
            for customer in 1...3 { events.append(try placed("c-\(customer)", ["p-a", "p-b", "p-c"])) }
            events.append(try placed("c-4", ["p-a"]))
            // Bought 400 days ago: outside the year purchases are left out for.
            events.append(try placed("c-5", ["p-b"], at: daysAgo(400)))
            events.append(try placed("c-5", ["p-a"]))
            events.append(try placed("c-6", ["p-d"]))
            try await fixture.publish(events)

            let mine = try await fixture.forCustomer("c-4")
            #expect(mine.strategy == .forYou)
            #expect(Set(mine.ids.prefix(2)) == ["p-b", "p-c"])
            #expect(mine.items.prefix(2).map(\.reason) == [.forYou, .forYou])
            #expect(!mine.ids.contains("p-a"))
            // Everything the first customers bought is left out for them.
            #expect(try await fixture.forCustomer("c-1").ids == ["p-d"])
            let returning = try await fixture.forCustomer("c-5")
            #expect(returning.ids.contains("p-b") && !returning.ids.contains("p-a"))

            // On a product page, a signed-in customer's purchases are left out too; a guest sees them (the c was bought
            // with the b by all its buyers, the a by two more customers as well).
            #expect(try await fixture.forProduct("p-b").ids.prefix(2) == ["p-c", "p-a"])
            #expect(try await fixture.forProduct("p-b", customer: "c-4").ids.first == "p-c")
            #expect(!(try await fixture.forProduct("p-b", customer: "c-4").ids.contains("p-a")))

            // What they have just bought goes at once.
            try await fixture.publish(try placed("c-4", ["p-c"], at: RecommendationsFixture.now))
            #expect(!(try await fixture.forCustomer("c-4").ids.contains("p-c")))
        }
    }

    @Test func aProductWithoutCoPurchasesGetsThePopularOfItsCategory() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(
                product("p-l1"),
                product("p-l2"),
                product("p-l3"),
                product("p-k1", category: "kitchen"),
                product("p-k2", category: "kitchen")
            )
            try await fixture.publish(
                try placed("c-1", ["p-l2"]),
                try placed("c-2", ["p-l2"]),
                try placed("c-3", ["p-l3"]),
                try placed("c-4", ["p-k1"]),
                try placed("c-5", ["p-k1"]),
                try placed("c-6", ["p-k1"])
            )
            let page = try await fixture.forProduct("p-l1")
            #expect(page.strategy == .popularInCategory)
            #expect(page.ids == ["p-l2", "p-l3", "p-k1", "p-k2"])
            #expect(page.items.map(\.reason) == [.popularInCategory, .popularInCategory, .popular, .popular])
            #expect(page.items.map(\.score) == [2.0 / 3, 1.0 / 3, 1, 0].map { ($0 * 1e9).rounded() / 1e9 })
            #expect(try await fixture.forProduct("p-l1", limit: 1).ids == ["p-l2"])

            let stranger = try await fixture.forCustomer("c-new", limit: 2)
            #expect(stranger.strategy == .popular)
            #expect(stranger.ids == ["p-k1", "p-l2"])
        }
    }

    @Test func aRebuildFromTheLogGivesTheSameAnswers() async throws {
        try await RecommendationsFixture.with { fixture in
            let categories = ["lighting", "kitchen", "garden"]
            let products = (1...12).map { product(ProductID(rawValue: "p-\($0)"), category: categories[$0 % 3]) }
            try await fixture.publish(try products.map(created) + products.map { try stockLevel($0.id.rawValue, available: 20) })
            var generator = SplitMix(seed: 7)
            var events: [Envelope] = []
            for customer in 1...30 {
                let id = CustomerID(rawValue: "c-\(customer)")
                for visit in 0..<3 {
                    let at = daysAgo(Double(90 - 30 * visit) + Double(customer % 7))
                    let basket = (0..<Int.random(in: 1...3, using: &generator)).map { _ in products.randomElement(using: &generator)!.id }
                    events.append(try addedToCart(basket[0], by: customer % 5 == 0 ? nil : id, cart: "cart-\(customer)", at: at))
                    events.append(try placed(id, basket, at: at.addingTimeInterval(600)))
                }
            }
            try await fixture.publish(events)
            for index in 0..<20 {
                try await fixture.recommendations.recordView(
                    ProductView(productId: products[index % 12].id, customerId: index % 4 == 0 ? nil : CustomerID(rawValue: "c-\(index)"))
                )
            }
            try await fixture.waitUntilLearned()

            func answers() async throws -> [RecommendationList] {
                var lists: [RecommendationList] = []
                for product in products { lists.append(try await fixture.forProduct(product.id, limit: 6)) }
                for customer in 1...30 { lists.append(try await fixture.forCustomer(CustomerID(rawValue: "c-\(customer)"), limit: 6)) }
                return lists
            }
            let incremental = try await answers()
            let interactions = try await fixture.scalar("SELECT count(*) FROM interaction")
            let pairs = try await fixture.scalar("SELECT count(*) FROM pair")

            let report = try await fixture.recommendations.rebuild()
            #expect(Double(report.interactions) == interactions)
            #expect(Double(report.pairs) == pairs)
            #expect(report.products == 12)
            #expect(report.customers > 30)
            #expect(report.seconds >= 0)
            let rebuilt = try await answers()
            #expect(rebuilt.map { $0.ids } == incremental.map { $0.ids })
            #expect(rebuilt.map { $0.strategy } == incremental.map { $0.strategy })
            for (after, before) in zip(rebuilt, incremental) {
                #expect(zip(after.items, before.items).allSatisfy { abs($0.score - $1.score) < 1e-9 })
            }
            #expect(incremental.contains { $0.strategy == .forYou } && incremental.contains { $0.strategy == .boughtTogether })
        }
    }

    @Test func anEventHandledTwiceChangesNothing() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-c"))
            let events = [
                try placed("c-1", ["p-a", "p-b"]), try placed("c-2", ["p-a", "p-c"]), try addedToCart("p-b", by: "c-2"),
                try addedToCart("p-c", by: nil, cart: "cart_guest"), try addedToCart("p-a", by: nil, cart: "cart_guest"),
            ]
            try await fixture.publish(events)
            let totals = "SELECT (SELECT count(*) FROM interaction) + (SELECT sum(strength) FROM pair) + (SELECT sum(popularity) FROM item)"
            let before = try await fixture.scalar(totals)
            let answers = try await fixture.forProduct("p-a")
            #expect(answers.ids == ["p-b", "p-c"])

            try await fixture.publish(events)
            #expect(try await fixture.scalar(totals) == before)
            #expect(try await fixture.scalar("SELECT count(*) FROM interaction") == 7)
            #expect(try await fixture.forProduct("p-a") == answers)
        }
    }

    @Test func viewsAreLearnedFromAndAnUnknownProductIsNotFound() async throws {
        let asked = CallRecorder<ProductID>()
        var catalog = MockCatalog()
        catalog.onProduct = { id in
            asked.record(id)
            guard id == "p-new" else { throw CatalogError.productNotFound(id) }
            return product("p-new")
        }
        try await RecommendationsFixture.with(catalog: catalog) { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-c"))
            for customer in ["c-1", "c-2"] {
                try await fixture.recommendations.recordView(ProductView(productId: "p-a", customerId: CustomerID(rawValue: customer)))
                try await fixture.recommendations.recordView(ProductView(productId: "p-b", customerId: CustomerID(rawValue: customer)))
            }
            // A guest's views count towards popularity only.
            for _ in 1...3 { try await fixture.recommendations.recordView(ProductView(productId: "p-c")) }
            try await fixture.waitUntilLearned()
            let page = try await fixture.forProduct("p-a")
            #expect(page.ids == ["p-b", "p-c"])
            #expect(page.items.map(\.reason) == [.boughtTogether, .popularInCategory])
            #expect(try await fixture.forCustomer("c-new").ids.first == "p-c")

            await #expect(throws: RecommendationsError.productNotFound("p-404")) {
                try await fixture.recommendations.recordView(ProductView(productId: "p-404"))
            }
            await #expect(throws: RecommendationsError.productNotFound("p-404")) { try await fixture.forProduct("p-404") }
            // A product whose catalog event has not arrived yet is asked for once, then known.
            try await fixture.recommendations.recordView(ProductView(productId: "p-new"))
            #expect(try await fixture.forProduct("p-new").ids == ["p-c", "p-a", "p-b"])
            #expect(asked.values == ["p-404", "p-404", "p-new"])
        }
    }

    @Test func aLimitOutsideOneToFiftyIsRefusedWithASentence() async throws {
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"))
            for limit in [0, 51] {
                let refusal = RecommendationsError.invalidQuery("must be from 1 to 50", field: "limit")
                await #expect(throws: refusal) { try await fixture.forProduct("p-a", limit: limit) }
                await #expect(throws: refusal) { try await fixture.forCustomer("c-1", limit: limit) }
                #expect(refusal.detail == "The recommendations query is not valid: limit must be from 1 to 50.")
                #expect(refusal.problemType == "invalid-query")
            }
            #expect(try await fixture.forProduct("p-a", limit: 50).items.isEmpty)
        }
    }

    @Test func aDeletedAccountsHistoryIsAnonymisedAndStillCounts() async throws {
        let customer: CustomerID = "c-erase-9Hq4Zt"
        try await RecommendationsFixture.with { fixture in
            try await fixture.stock(product("p-a"), product("p-b"), product("p-c"))
            try await fixture.publish(try placed(customer, ["p-a", "p-b"]), try placed("c-2", ["p-c"]))
            try await fixture.recommendations.recordView(ProductView(productId: "p-c", customerId: customer))
            try await fixture.waitUntilLearned()
            #expect(try await fixture.forCustomer(customer).strategy == .forYou)
            let before = try await fixture.forProduct("p-a")
            #expect(try fixture.files(containing: customer.rawValue).contains { $0.hasPrefix("recommendations.sqlite") })

            try await fixture.publish(try deleted(customer))
            try await waitUntil("no file holds the customer's id") { try fixture.files(containing: customer.rawValue).isEmpty }
            // What the shop learned from them stays; nothing leads back to them.
            #expect(try await fixture.forProduct("p-a") == before)
            #expect(try await fixture.forCustomer(customer).strategy == .popular)
            #expect(try await fixture.recommendations.rebuild().customers == 2)
            #expect(try await fixture.forProduct("p-a") == before)
        }
    }

    @Test func theSettingsAreCheckedAtStart() async throws {
        let refusal = await #expect(throws: ModuleHostError.self) {
            try await RecommendationsFixture.with(settings: ["recommendations.half-life": "a month"]) { _ in }
        }
        #expect(refusal?.description == "recommendations.half-life must be a number of days from 0.001 to 36500, not 'a month'")
        await #expect(throws: ModuleHostError.self) {
            try await RecommendationsFixture.with(settings: ["recommendations.bought-window": "0"]) { _ in }
        }
    }
}

/// A seeded generator, so every run learns the same history.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
