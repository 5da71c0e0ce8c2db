import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import Search
import SearchAPI
import ServiceKit
import Storage

/// Search figures: indexing rate (catalog events through the bus and the inbox into the index) and query
/// latency percentiles over 100,000 generated products.
struct SearchSuite: BenchmarkSuite {
    private static let adjectives = [
        "oak", "steel", "wireless", "ceramic", "linen", "walnut", "copper", "bamboo", "glass", "leather", "cotton", "marble",
        "compact", "heavy", "smart", "vintage", "nordic", "rustic", "modern", "portable",
    ]
    private static let nouns = [
        "lamp", "skillet", "chair", "table", "kettle", "speaker", "blanket", "vase", "knife", "board", "shelf", "mug", "clock",
        "rug", "pillow", "bottle", "backpack", "charger", "headphones", "planter",
    ]
    private static let brands = ["Nordlys", "Ferro", "Kasa", "Lumen", "Tavola", "Brisa", "Halden", "Orto", "Vinter", "Sola"]

    func run(options: BenchmarkOptions) async throws {
        let count = 100_000
        let scratch = try ScratchDirectory()
        let database = try Database(path: scratch.path("search.sqlite"))
        try Module.search.migrate(database)
        let service = try SQLiteSearchService(database: database, catalog: NoCatalog())
        let bus = InProcessMessageBus()
        EventSubscription(through: Inbox(database: database, consumer: "search"), SQLiteSearchService.eventHandlers).subscribe(as: "search", on: bus)
        var generator = SplitMix(seed: 42)
        let products = (1...count).map { makeProduct($0, using: &generator) }

        // The bus runs for the whole suite: it carries the catalog's events at the start and the renames at the end.
        let running = Task { try await bus.run() }
        defer { running.cancel() }
        let clock = ContinuousClock()
        let start = clock.now
        for batch in stride(from: 0, to: count, by: 1000) {
            let envelopes = try products[batch..<min(batch + 1000, count)].map {
                try Envelope(ProductCreated(product: $0), source: "/bench", subject: $0.id.rawValue)
            }
            try await bus.deliver(envelopes)
            if batch % 20_000 == 0 { Progress.say("  search: indexed \(batch) products") }
        }
        let indexingRate = Double(count) / ((clock.now - start) / .seconds(1))
        Progress.figure("search.indexing", indexingRate, "products/s")

        // Queries: one or two words, the second often a prefix, some with a typo, some filtered by price.
        var queries: [SearchQuery] = []
        for index in 0..<2000 {
            let first = Self.nouns.randomElement(using: &generator)!
            var text = index % 3 == 0 ? "\(Self.adjectives.randomElement(using: &generator)!) \(first)" : first
            if index % 5 == 0 { text = String(text.dropLast()) }
            if index % 17 == 0 { text = text.replacingOccurrences(of: "e", with: "a") }
            queries.append(SearchQuery(text: text, maxPrice: index % 4 == 0 ? 5000 : nil))
        }
        // The first query loads the word index into memory from FTS5's own index.
        let residentBefore = residentMegabytes()
        let loadStart = clock.now
        _ = try await service.search(SearchQuery(text: "lamp"))
        Progress.figure("search.first-query", (clock.now - loadStart) / .milliseconds(1), "ms")
        Progress.figure("search.index-memory", residentMegabytes() - residentBefore, "MB")
        for run in 1...options.runs {
            var latencies: [Double] = []
            var byKind: [String: [Double]] = [:]
            for query in queries {
                let start = clock.now
                let results = try await service.search(query)
                let latency = (clock.now - start) / .milliseconds(1)
                latencies.append(latency)
                byKind[Self.kind(of: query, results), default: []].append(latency)
            }
            latencies.sort()
            let p50 = latencies[latencies.count / 2]
            let p99 = latencies[latencies.count * 99 / 100]
            Progress.say("  search.query run \(run)/\(options.runs): p50 \(String(format: "%.3f", p50)) ms, p99 \(String(format: "%.3f", p99)) ms")
            if run == options.runs {
                // Which queries make the tail: the percentiles of each kind, for the performance notes.
                for (kind, values) in byKind.sorted(by: { $0.key < $1.key }) {
                    let sorted = values.sorted()
                    Progress.say(
                        "  search.query \(kind) (\(sorted.count)): p50 \(String(format: "%.3f", sorted[sorted.count / 2])) ms, "
                            + "p99 \(String(format: "%.3f", sorted[sorted.count * 99 / 100])) ms"
                    )
                }
                Progress.figure("search.query.p50", p50, "ms")
                Progress.figure("search.query.p99", p99, "ms")
            }
        }

        // 1,000 products renamed: the next query first brings the index in memory up to date.
        let renamed = products.prefix(1000).map { product in
            var renamed = product
            renamed.name += " Deluxe"
            renamed.version = 2
            return renamed
        }
        try await bus.deliver(try renamed.map { try Envelope(ProductUpdated(product: $0), source: "/bench", subject: $0.id.rawValue) })
        let catchUpStart = clock.now
        let deluxe = try await service.search(SearchQuery(text: "deluxe"))
        Progress.figure("search.catch-up-1000-changes", (clock.now - catchUpStart) / .milliseconds(1), "ms")
        guard deluxe.total == 1000 else { throw BenchmarkFailure("after 1,000 renames 'deluxe' matched \(deluxe.total)") }
    }

    /// A query's kind for the breakdown: typo tolerance, or how many words, and whether a price filter applied.
    private static func kind(of query: SearchQuery, _ results: SearchResults) -> String {
        let words = query.text.split(separator: " ").count
        let base = results.approximate ? "typo" : "\(words)-word"
        return base + (query.maxPrice == nil ? "" : "+price")
    }

    private func makeProduct(_ number: Int, using generator: inout SplitMix) -> Product {
        let adjective = Self.adjectives.randomElement(using: &generator)!
        let noun = Self.nouns.randomElement(using: &generator)!
        let brand = Self.brands.randomElement(using: &generator)!
        return Product(
            id: ProductID(rawValue: String(format: "p-%06d", number)),
            sku: String(format: "SKU-%06d", number),
            name: "\(brand) \(adjective.capitalized) \(noun.capitalized) \(number % 97)",
            description: "A \(adjective) \(noun) by \(brand), made to last; pairs well with a \(Self.nouns.randomElement(using: &generator)!).",
            price: Money(minorUnits: Int64.random(in: 500...50_000, using: &generator), currency: "EUR"),
            images: [],
            attributes: [:],
            category: CategoryID(rawValue: "category-\(number % 24)"),
            active: true,
            version: 1
        )
    }
}

/// The benchmark never reindexes.
private struct NoCatalog: CatalogService {
    struct Unused: Error {}
    func product(_ id: ProductID) async throws -> Product { throw Unused() }
    func products(_ query: ProductQuery) async throws -> ProductPage { throw Unused() }
    func categories() async throws -> [CatalogAPI.Category] { throw Unused() }
    func createProduct(_ draft: ProductDraft) async throws -> Product { throw Unused() }
    func updateProduct(_ update: ProductUpdate) async throws -> Product { throw Unused() }
    func deactivateProduct(_ deactivation: ProductDeactivation) async throws -> Product { throw Unused() }
    func importCatalog(_ upload: CatalogUpload) async throws -> CatalogImportReport { throw Unused() }
}

/// A seeded generator, so every run searches the same catalog.
private struct SplitMix: RandomNumberGenerator {
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
