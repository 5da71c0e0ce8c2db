import CatalogAPI
import Commerce
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import Search
import SearchAPI
import ServiceKit
import Storage
import TestSupport
import Testing

func product(
    _ id: String,
    _ name: String,
    _ description: String,
    category: String = "lighting",
    price: Int64 = 1999,
    version: Int = 1,
    active: Bool = true
)
    -> Product
{
    Product(
        id: ProductID(rawValue: id),
        sku: id.uppercased(),
        name: name,
        description: description,
        price: Money(minorUnits: price, currency: "EUR"),
        images: [],
        attributes: [:],
        category: CategoryID(rawValue: category),
        active: active,
        version: version
    )
}

/// The search module alone, through the wiring it runs with: its own database, a real bus carrying catalog
/// events, calls through the serialized transport, a mock catalog listing `catalog` for reindexing.
struct SearchFixture {
    let harness: ModuleHarness
    let search: SearchClient

    @discardableResult
    static func with<Result: Sendable>(catalog: [Product] = [], _ body: (SearchFixture) async throws -> Result) async throws -> Result {
        try await ModuleHarness.run(.search, mocks: [MockCatalog.listing(catalog).service]) { harness in
            try await body(SearchFixture(harness: harness, search: SearchClient(client: harness.client)))
        }
    }

    var directory: TemporaryDirectory { harness.directory }

    /// Publishes catalog events and returns once the index has handled them.
    func publish(_ events: [Envelope]) async throws {
        try await harness.publish(events)
    }

    func ids(_ text: String, sort: SearchQuery.Sort = .relevance) async throws -> [String] {
        try await search.search(SearchQuery(text: text, sort: sort)).hits.map(\.productID.rawValue)
    }
}

@Suite struct SearchTests {
    static let lamp = product("p-1", "Nordlys Oak Table Lamp", "A warm lamp turned from solid oak.", price: 4999)
    static let skillet = product(
        "p-2",
        "Ferro Cast-Iron Skillet",
        "Heavy pan for searing; pairs with an oak board.",
        category: "cookware",
        price: 3999
    )
    static let board = product("p-3", "Oak Cutting Board", "End-grain oak, oiled.", category: "cookware", price: 2499)
    static let bulb = product("p-4", "Wireless Smart Bulb", "Dimmable LED lamp bulb <E27>.", price: 1499)

    @Test func theIndexFollowsCatalogEventsAndIgnoresRedeliveryAndStaleVersions() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish([try created(Self.lamp), try created(Self.skillet)])
            #expect(try await fixture.ids("lamp") == ["p-1"])

            var renamed = Self.lamp
            renamed.name = "Nordlys Oak Reading Light"
            renamed.version = 2
            try await fixture.publish([try Envelope(ProductUpdated(product: renamed), source: "/emporium/catalog", subject: "p-1")])
            #expect(try await fixture.ids("reading") == ["p-1"])
            #expect(try await fixture.ids("table") == [])

            // The old version arriving late, under a new event id, changes nothing.
            try await fixture.publish([try created(Self.lamp)])
            #expect(try await fixture.ids("table") == [])

            var gone = Self.skillet
            gone.active = false
            gone.version = 2
            let deactivation = try Envelope(ProductDeactivated(product: gone), source: "/emporium/catalog", subject: "p-2")
            try await fixture.publish([deactivation])
            #expect(try await fixture.ids("skillet") == [])
            // The same event again is skipped by the inbox.
            try await fixture.publish([deactivation])
            #expect(try await fixture.ids("oak") == ["p-1"])
        }
    }

    @Test func rankingPrefixesFiltersFacetsSortingAndHighlights() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish([Self.lamp, Self.skillet, Self.board, Self.bulb].map(created))
            // A name match outranks a description match.
            let oak = try await fixture.ids("oak")
            #expect(oak.count == 3)
            #expect(oak.last == "p-2")
            // "lam" is a prefix of "lamp": the lamp (by name) and the bulb (by description).
            #expect(Set(try await fixture.ids("lam")) == ["p-1", "p-4"])
            #expect(try await fixture.ids("oak", sort: .priceAscending) == ["p-3", "p-2", "p-1"])
            #expect(try await fixture.ids("oak", sort: .priceDescending) == ["p-1", "p-2", "p-3"])

            let cookware = try await fixture.search.search(SearchQuery(text: "oak", category: "cookware"))
            #expect(Set(cookware.hits.map(\.productID)) == ["p-2", "p-3"])
            #expect(cookware.total == 2)
            #expect(cookware.facets == [CategoryFacet(category: "cookware", count: 2), CategoryFacet(category: "lighting", count: 1)])
            let cheap = try await fixture.search.search(SearchQuery(text: "oak", maxPrice: 3000))
            #expect(cheap.hits.map(\.productID) == ["p-3"])

            let lamp = try #require(try await fixture.search.search(SearchQuery(text: "lamp")).hits.first { $0.productID == "p-1" })
            #expect(lamp.highlightedName == "Nordlys Oak Table <mark>Lamp</mark>")
            #expect(lamp.snippet.contains("<mark>lamp</mark>"))
            let bulb = try #require(try await fixture.search.search(SearchQuery(text: "bulb")).hits.first)
            #expect(bulb.snippet.contains("&lt;E27&gt;"), "stored text is HTML-escaped around the marks")
        }
    }

    @Test func typosStillFindNamesApproximately() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish([Self.lamp, Self.skillet, Self.board].map(created))
            let results = try await fixture.search.search(SearchQuery(text: "skilet"))
            #expect(results.approximate)
            #expect(results.hits.map(\.productID) == ["p-2"])
            #expect(try await fixture.search.search(SearchQuery(text: "skillet")).approximate == false)
            #expect(try await fixture.search.search(SearchQuery(text: "zzzzqq")).hits.isEmpty)
        }
    }

    @Test func queryTextNeverBreaksTheQuery() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish([try created(Self.lamp)])
            for text in [#"oak" OR lamp"#, "NEAR(oak lamp)", "lamp*", "oak -lamp", "oak AND", "oak\"lamp"] {
                _ = try await fixture.search.search(SearchQuery(text: text))
            }
            await #expect(throws: SearchError.invalidQuery("there is nothing to search for", field: "q")) {
                try await fixture.search.search(SearchQuery(text: "  !? "))
            }
            await #expect(throws: SearchError.invalidQuery("limit must be between 1 and 100", field: "limit")) {
                try await fixture.search.search(SearchQuery(text: "oak", limit: 500))
            }
        }
    }

    /// 60 steel hooks, 20 in each of three categories, priced 100, 200, … 6000; and three brass bells.
    static let hardware =
        (1...60).map { number in
            product(
                String(format: "p-%04d", number),
                "Steel Hook \(number)",
                "A steel hook.",
                category: ["hooks", "garden", "kitchen"][number % 3],
                price: Int64(number * 100)
            )
        } + (1...3).map { product("b-\($0)", "Brass Bell \($0)", "A brass bell.", category: "bells") }

    @Test func totalsAndFacetsCountEveryMatchExactly() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish(try Self.hardware.map(created))
            let all = try await fixture.search.search(SearchQuery(text: "hook"))
            #expect(!all.approximate)
            #expect(all.total == 60)
            #expect(all.hits.count == 20)
            let thirds = [
                CategoryFacet(category: "garden", count: 20), CategoryFacet(category: "hooks", count: 20),
                CategoryFacet(category: "kitchen", count: 20),
            ]
            #expect(all.facets == thirds, "most first, then by name")

            // Prices 100…1000: hooks 3, 6, 9 in "hooks", 1, 4, 7, 10 in "garden", 2, 5, 8 in "kitchen".
            let cheap = try await fixture.search.search(SearchQuery(text: "hook", maxPrice: 1000))
            #expect(Set(cheap.hits.map(\.productID.rawValue)) == Set((1...10).map { String(format: "p-%04d", $0) }))
            #expect(cheap.total == 10)
            #expect(
                cheap.facets == [
                    CategoryFacet(category: "garden", count: 4), CategoryFacet(category: "hooks", count: 3),
                    CategoryFacet(category: "kitchen", count: 3),
                ]
            )
            let garden = try await fixture.search.search(SearchQuery(text: "hook", category: "garden", minPrice: 500, maxPrice: 1000))
            #expect(garden.hits.map(\.productID) == ["p-0007", "p-0010"] || garden.hits.map(\.productID) == ["p-0010", "p-0007"])
            #expect(garden.total == 2)
            #expect(garden.facets.count == 3, "facets ignore the category filter")
            #expect(try await fixture.search.search(SearchQuery(text: "hook", category: "nonesuch")).total == 0)

            let bells = try await fixture.search.search(SearchQuery(text: "bell"))
            #expect(bells.total == 3)
            #expect(bells.facets == [CategoryFacet(category: "bells", count: 3)])
        }
    }

    @Test func equallyRelevantProductsKeepTheOrderTheyWereIndexedIn() async throws {
        try await SearchFixture.with { fixture in
            let later = product("p-b", "Copper Kettle", "A kettle.")
            let earlier = product("p-a", "Copper Kettle", "A kettle.")
            try await fixture.publish([try created(later), try created(earlier)])
            #expect(try await fixture.ids("kettle") == ["p-b", "p-a"])
            #expect(try await fixture.ids("kettle", sort: .name) == ["p-a", "p-b"], "other sorts still break ties by id")
        }
    }

    @Test func relevancePagesNeitherRepeatNorSkipHits() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish(try Self.hardware.map(created))
            for sort in [SearchQuery.Sort.relevance, .priceAscending, .priceDescending, .name] {
                var seen: [String] = []
                for offset in stride(from: 0, to: 60, by: 7) {
                    let page = try await fixture.search.search(SearchQuery(text: "steel hook", sort: sort, limit: 7, offset: offset))
                    #expect(page.hits.allSatisfy { $0.highlightedName.hasPrefix("<mark>Steel</mark> <mark>Hook</mark>") })
                    seen += page.hits.map(\.productID.rawValue)
                }
                #expect(seen.count == 60)
                #expect(Set(seen).count == 60)
                let past = try await fixture.search.search(SearchQuery(text: "steel hook", sort: sort, offset: Int.max))
                #expect(past.hits.isEmpty)
                #expect(past.total == 60)
                let whole = try await fixture.search.search(SearchQuery(text: "steel hook", sort: sort, limit: 60))
                #expect(whole.hits.map(\.productID.rawValue) == seen, "pages are slices of one order")
            }
        }
    }

    @Test func longAndSeveralMistypedWordsStillFindTheirProducts() async throws {
        try await SearchFixture.with { fixture in
            let headphones = product("p-9", "Lumen Wireless Headphones", "Over-ear.", category: "audio")
            try await fixture.publish(try ([headphones] + Self.hardware).map(created))
            let long = try await fixture.search.search(SearchQuery(text: "haedphones"))
            #expect(long.approximate)
            #expect(long.hits.map(\.productID) == ["p-9"])
            let two = try await fixture.search.search(SearchQuery(text: "wireles headphonse"))
            #expect(two.hits.map(\.productID) == ["p-9"])
            let cheapHooks = try await fixture.search.search(SearchQuery(text: "stel hooks", maxPrice: 500))
            #expect(Set(cheapHooks.hits.map(\.productID.rawValue)) == Set((1...5).map { String(format: "p-%04d", $0) }))
        }
    }

    @Test func anEventThatCannotBeIndexedIsKeptInSearchsOwnDeadLetterTable() async throws {
        let broken = Envelope(source: "/emporium/catalog", type: ProductCreated.eventType, subject: "p-9", data: Data("{}".utf8))
        let directory = try await SearchFixture.with { fixture in
            try await fixture.publish([broken, try created(Self.lamp)])
            try await waitUntil("the broken event is dead-lettered") { try await !fixture.harness.module.context.deadLetters.list(limit: 10).isEmpty }
            #expect(try await fixture.ids("lamp") == ["p-1"])
            #expect(try await fixture.harness.bus.defaultDeadLetters.list(limit: 10).isEmpty)
            return fixture.directory
        }
        // It is in search.sqlite, not in memory: a new store over the file still has it, with the error.
        let reopened = SQLiteDeadLetterStore(database: try Database(path: directory.path("search.sqlite")))
        let letters = try await reopened.list(limit: 10)
        #expect(letters.map(\.envelope.id) == [broken.id])
        #expect(letters.first?.group == "search")
    }

    @Test func hitsShowStockAsInventoryLastSaidAndInStockFiltersByIt() async throws {
        func stock(_ id: String, _ available: Int, _ status: StockStatus) throws -> Envelope {
            let availability = Availability(productId: ProductID(rawValue: id), available: available, status: status)
            return try Envelope(StockLevelChanged(availability: availability), source: "/emporium/inventory", subject: id)
        }
        try await SearchFixture.with { fixture in
            // The board's stock is known before the board itself: the read model does not depend on arrival order.
            try await fixture.publish([try stock("p-3", 2, .lowStock)])
            try await fixture.publish(try [Self.lamp, Self.skillet, Self.board].map(created))
            try await fixture.publish([try stock("p-1", 0, .outOfStock)])
            let all = try await fixture.search.search(SearchQuery(text: "oak"))
            #expect(
                Dictionary(uniqueKeysWithValues: all.hits.map { ($0.productID.rawValue, $0.stock) }) == [
                    "p-1": .outOfStock, "p-2": nil, "p-3": .lowStock,
                ]
            )
            let buyable = try await fixture.search.search(SearchQuery(text: "oak", inStock: true))
            #expect(buyable.hits.map(\.productID) == ["p-3"])
            #expect(buyable.total == 1)
            #expect(buyable.facets == [CategoryFacet(category: "cookware", count: 1)])
            // New stock reaches the index copy in memory before the next query.
            try await fixture.publish([try stock("p-1", 12, .inStock)])
            #expect(Set(try await fixture.search.search(SearchQuery(text: "oak", inStock: true)).hits.map(\.productID)) == ["p-1", "p-3"])
        }
    }

    @Test func reindexRebuildsFromTheCatalog() async throws {
        let catalog = (1...250).map { product(String(format: "p-%04d", $0), "Steel Hook \($0)", "A steel hook.") }
        try await SearchFixture.with(catalog: catalog) { fixture throws in
            #expect(try await fixture.search.search(SearchQuery(text: "hook")).total == 0)
            #expect(try await fixture.search.reindex() == ReindexReport(indexed: 250))
            #expect(try await fixture.search.search(SearchQuery(text: "hook")).total == 250)
        }
    }
}

/// Runs `body` while the bus's workers run.
func withRunningBus<T: Sendable>(_ bus: InProcessMessageBus, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        let result = try await body()
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}
