import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import Search
import SearchAPI
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// The word index in memory against FTS5's own: the same matches in the same bm25 order, kept current across
/// instances sharing one file, loaded from a database written by the first schema.
@Suite struct SearchIndexTests {
    private static let words = [
        "oak", "steel", "lamp", "lamps", "lampshade", "chair", "chairs", "table", "kettle", "copper", "linen", "walnut",
        "running", "runner", "light", "lighting", "bright", "warm", "glass", "vase",
    ]

    /// 300 products of random words, some repeated, names and descriptions of varied lengths.
    private static func corpus() -> [Product] {
        var random = SeededRandom(seed: 7)
        func text(_ count: Int) -> String {
            (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
        }
        return (1...300).map { number in
            product(
                String(format: "p-%04d", number),
                text(2 + Int(random.next() % 5)),
                text(3 + Int(random.next() % 25)),
                category: "c-\(number % 7)",
                price: Int64(100 + random.next() % 5000)
            )
        }
    }

    @Test func rankingIsFTS5sBm25OverEveryMatch() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.publish(try Self.corpus().map(created))
            let queries = [
                "oak", "lamp", "lamps", "la", "l", "ru", "running", "run", "light", "oak lamp", "copper kettle", "warm lig",
                "glass vase chai", "steel steel", "walnut linen bright warm", "table ch",
            ]
            for text in queries {
                let words = text.split(separator: " ")
                let match = words.enumerated().map { "\"\($0.element)\"" + ($0.offset == words.count - 1 ? "*" : "") }.joined(separator: " ")
                let expected = try await fixture.harness.database.read { connection in
                    try connection.query(
                        """
                        SELECT d.product_id FROM document_text JOIN document d ON d.rowid = document_text.rowid
                        WHERE document_text MATCH ? ORDER BY bm25(document_text, 10.0, 1.0), document_text.rowid
                        """,
                        [match]
                    ).map { try $0["product_id"] as String }
                }
                let results = try await fixture.search.search(SearchQuery(text: text, limit: 100))
                #expect(!expected.isEmpty, "'\(text)' matches something")
                #expect(results.hits.map(\.productID.rawValue) == Array(expected.prefix(100)), "'\(text)' in FTS5's order")
                #expect(results.total == expected.count, "'\(text)'")
                #expect(!results.approximate)
            }
        }
    }

    @Test func instancesOverOneFileFollowEachOthersWrites() async throws {
        let directory = try await SearchFixture.with(catalog: [SearchTests.board]) { fixture in
            // A second instance over the same file, never subscribed: it only reads what the first one writes.
            let reader = try SQLiteSearchService(database: try Database(path: fixture.directory.path("search.sqlite")), catalog: MockCatalog())
            func ids(_ text: String) async throws -> [String] { try await reader.search(SearchQuery(text: text)).hits.map(\.productID.rawValue) }
            try await fixture.publish([try created(SearchTests.lamp), try created(SearchTests.skillet)])
            #expect(try await ids("oak") == ["p-1", "p-2"])

            var renamed = SearchTests.lamp
            renamed.name = "Nordlys Reading Light"
            renamed.category = CategoryID(rawValue: "reading")
            renamed.version = 2
            try await fixture.publish([try Envelope(ProductUpdated(product: renamed), source: "/emporium/catalog", subject: "p-1")])
            #expect(try await ids("reading") == ["p-1"])
            #expect(try await ids("table").isEmpty)
            #expect(try await reader.search(SearchQuery(text: "light")).facets == [CategoryFacet(category: "reading", count: 1)])

            var gone = SearchTests.skillet
            gone.active = false
            gone.version = 2
            try await fixture.publish([try Envelope(ProductDeactivated(product: gone), source: "/emporium/catalog", subject: "p-2")])
            #expect(try await ids("skillet").isEmpty)
            #expect(try await ids("oak") == ["p-1"])
            // A late copy of the created event does not bring the deactivated product back: its row remembers the version.
            try await fixture.publish([try created(SearchTests.skillet)])
            #expect(try await ids("skillet").isEmpty)

            // A reindex replaces everything with what the catalog lists.
            #expect(try await fixture.search.reindex() == ReindexReport(indexed: 1))
            #expect(try await ids("oak") == ["p-3"])
            #expect(try await !ids("reading").contains("p-1"))
            return fixture.directory
        }
        // A third instance, opened afterwards, loads the same state from FTS5's index.
        let reopened = try SQLiteSearchService(
            database: try Database(path: directory.path("search.sqlite")),
            catalog: MockCatalog()
        )
        #expect(try await reopened.search(SearchQuery(text: "oak")).hits.map(\.productID) == ["p-3"])
    }

    @Test func queriesRunningWhileTheIndexChangesSeeConsistentSnapshots() async throws {
        let batches = (0..<10).map { batch in
            (1...20).map { number in product(String(format: "p-%02d-%02d", batch, number), "Brass Hinge \(number)", "A brass hinge.") }
        }
        try await SearchFixture.with { fixture in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Four readers query while ten batches are indexed: every answer agrees with itself, and none goes
                // back in time.
                let done = ManagedFlag()
                let service = try SQLiteSearchService(database: fixture.harness.database, catalog: MockCatalog())
                for _ in 0..<4 {
                    group.addTask {
                        var seen = 0
                        // Bounded, so that the readers never crowd out the tests running beside them.
                        for _ in 0..<100 where !done.isSet {
                            let results = try await service.search(SearchQuery(text: "hinge", limit: 100))
                            #expect(results.total >= seen, "an index never goes back")
                            seen = results.total
                            #expect(results.hits.count == min(results.total, 100))
                            #expect(results.facets.reduce(0) { $0 + $1.count } == results.total)
                            await Task.yield()
                        }
                    }
                }
                for batch in batches { try await fixture.publish(try batch.map(created)) }
                done.set()
                try await group.waitForAll()
            }
            #expect(try await fixture.search.search(SearchQuery(text: "hinge")).total == 200)
        }
    }

    @Test func aDatabaseWrittenByTheFirstSchemaKeepsItsDocuments() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("search.sqlite")
        do {
            // The schema as the first release wrote it, with one document.
            var first = Migrator()
            MessagingSchema.register(in: &first)
            first.add(
                "search-1-documents",
                sql: """
                    CREATE TABLE document (
                        rowid INTEGER PRIMARY KEY,
                        product_id TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        description TEXT NOT NULL,
                        category TEXT NOT NULL,
                        price_minor INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        version INTEGER NOT NULL
                    );
                    CREATE VIRTUAL TABLE document_text USING fts5(name, description, tokenize = 'porter unicode61 remove_diacritics 2');
                    CREATE VIRTUAL TABLE document_trigram USING fts5(name, tokenize = 'trigram');
                    """
            )
            let database = try Database(path: path)
            try first.migrate(database)
            try await database.write { connection in
                try connection.execute(
                    "INSERT INTO document VALUES (7, 'p-7', 'Walnut Desk Lamp', 'A lamp for the desk.', 'lighting', 8900, 'EUR', 3)"
                )
                try connection.execute("INSERT INTO document_text (rowid, name, description) VALUES (7, 'Walnut Desk Lamp', 'A lamp for the desk.')")
                try connection.execute("INSERT INTO document_trigram (rowid, name) VALUES (7, 'Walnut Desk Lamp')")
            }
        }
        let database = try Database(path: path)
        try Module.search.migrate(database)
        let fixture = try SQLiteSearchService(database: database, catalog: MockCatalog())
        let found = try await fixture.search(SearchQuery(text: "desk"))
        #expect(found.hits.map(\.productID) == ["p-7"])
        #expect(found.hits.first?.highlightedName == "Walnut <mark>Desk</mark> Lamp")
        let bus = InProcessMessageBus()
        EventSubscription(through: Inbox(database: database, consumer: "search"), SQLiteSearchService.eventHandlers).subscribe(as: "search", on: bus)
        try await withRunningBus(bus) {
            // An update keeps the old row (and its rowid); an older version is still refused.
            var update = product("p-7", "Walnut Floor Lamp", "A lamp for the floor.", version: 4)
            try await bus.deliver([try Envelope(ProductUpdated(product: update), source: "/emporium/catalog", subject: "p-7")])
            #expect(try await fixture.search(SearchQuery(text: "floor")).hits.map(\.productID) == ["p-7"])
            update.version = 2
            update.name = "Walnut Wall Lamp"
            try await bus.deliver([try Envelope(ProductUpdated(product: update), source: "/emporium/catalog", subject: "p-7")])
            #expect(try await fixture.search(SearchQuery(text: "lamp")).hits.map(\.name) == ["Walnut Floor Lamp"])
        }
    }

    @Test func typosMatchNearbyTermsAndSaySo() async throws {
        try await SearchFixture.with { fixture in
            let kettle = product("p-5", "Copper Kettle", "Whistles when the water boils; a long description that goes on.")
            try await fixture.publish(try [SearchTests.lamp, SearchTests.skillet, SearchTests.board, kettle].map(created))
            // One edit in a short word, two in a long one; the last word still completes as a prefix.
            let results = try await fixture.search.search(SearchQuery(text: "coper kattl"))
            #expect(results.approximate)
            #expect(results.hits.map(\.productID) == ["p-5"])
            #expect(results.hits.first?.highlightedName == "<mark>Copper</mark> <mark>Kettle</mark>")
            #expect(try await fixture.ids("skilet") == ["p-2"])
            #expect(try await fixture.ids("skillte") == ["p-2"], "two neighbours swapped are one edit")
            // Two letters are never guessed at, and three edits are too many for a seven-letter word.
            #expect(try await fixture.ids("ok").isEmpty)
            #expect(try await fixture.ids("skxxxet").isEmpty)
            // A word that matches as typed is never widened.
            let exact = try await fixture.search.search(SearchQuery(text: "oak"))
            #expect(!exact.approximate)
        }
    }

    @Test func snippetsCutLongDescriptionsAroundTheMatches() async throws {
        try await SearchFixture.with { fixture in
            let filler = (1...30).map { "word\($0)" }.joined(separator: " ")
            let long = product("p-6", "Garden Bench", "\(filler) teak bench, oiled & sanded. \(filler)")
            try await fixture.publish([try created(long)])
            let hit = try #require(try await fixture.search.search(SearchQuery(text: "teak")).hits.first)
            #expect(hit.snippet.hasPrefix("…word29 word30 <mark>teak</mark> bench, oiled &amp; sanded. word1"))
            #expect(hit.snippet.hasSuffix("…"))
            let start = try #require(try await fixture.search.search(SearchQuery(text: "garden")).hits.first)
            #expect(start.snippet.hasPrefix("word1 word2 "), "without a match in it, a description shows its start")
            #expect(start.snippet.hasSuffix("word16…"))
        }
    }
}

/// SplitMix64, so the corpus is the same in every run.
struct SeededRandom {
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

/// A flag one task sets and others poll.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
