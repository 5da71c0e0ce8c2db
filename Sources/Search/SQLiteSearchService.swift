public import CatalogAPI
import Foundation
public import Messaging
public import SearchAPI
import ServiceKit
public import Storage

/// Full-text search over its own index, fed only by catalog events through its inbox (eventually consistent;
/// it never opens the catalog's database). Ranking is bm25 with names weighing ten times descriptions; when the
/// words match nothing, a trigram index finds names with typos.
public struct SQLiteSearchService: SearchService {
    /// The index's database.
    public let database: Database
    private let inbox: Inbox
    private let catalog: any CatalogService

    /// The catalog events the index follows.
    public static let topics = [ProductCreated.eventType, ProductUpdated.eventType, ProductDeactivated.eventType]

    /// Opens the index over `database`, migrating it first; `catalog` is read only by ``reindex()``.
    /// - Throws: ``StorageError`` when the database cannot be migrated.
    public init(database: Database, catalog: any CatalogService) throws {
        try SearchSchema.migrator.migrate(database)
        self.database = database
        self.inbox = Inbox(database: database, consumer: "search")
        self.catalog = catalog
    }

    /// Subscribes the index to the catalog's events, in batches, as consumer group `search`.
    public func subscribe(to bus: any MessageBus) {
        let inbox = inbox
        for topic in Self.topics {
            bus.subscribeInBatches(Subscription(topic: topic, group: "search")) { envelopes in
                try await inbox.process(batch: envelopes) { connection, envelope in
                    try Self.apply(envelope, in: connection)
                }
            }
        }
    }

    // MARK: - Indexing

    static func apply(_ envelope: Envelope, in connection: Connection) throws {
        switch envelope.type {
        case ProductCreated.eventType: try index(try envelope.decode(ProductCreated.self).product, in: connection)
        case ProductUpdated.eventType: try index(try envelope.decode(ProductUpdated.self).product, in: connection)
        case ProductDeactivated.eventType: try index(try envelope.decode(ProductDeactivated.self).product, in: connection)
        default: break
        }
    }

    /// Brings one product's document up to date; an older version than the indexed one changes nothing.
    static func index(_ product: Product, in connection: Connection) throws {
        let existing = try connection.queryFirst("SELECT rowid, version FROM document WHERE product_id = ?", [product.id.rawValue])
        if let existing, try existing["version"] as Int >= product.version { return }
        if let existing {
            let rowid: Int64 = try existing["rowid"]
            try connection.execute("DELETE FROM document_text WHERE rowid = ?", [rowid])
            try connection.execute("DELETE FROM document_trigram WHERE rowid = ?", [rowid])
            try connection.execute("DELETE FROM document WHERE rowid = ?", [rowid])
        }
        guard product.active else { return }
        try connection.execute(
            "INSERT INTO document (product_id, name, description, category, price_minor, currency, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                product.id.rawValue, product.name, product.description, product.category.rawValue, product.price.minorUnits,
                product.price.currency, product.version,
            ]
        )
        let rowid = connection.lastInsertRowID
        try connection.execute("INSERT INTO document_text (rowid, name, description) VALUES (?, ?, ?)", [rowid, product.name, product.description])
        try connection.execute("INSERT INTO document_trigram (rowid, name) VALUES (?, ?)", [rowid, product.name])
    }

    public func reindex() async throws -> ReindexReport {
        var products: [Product] = []
        var cursor: String?
        repeat {
            let page = try await catalog.products(ProductQuery(cursor: cursor, limit: 100))
            products += page.products
            cursor = page.nextCursor
        } while cursor != nil
        let current = products
        return try await database.write { connection in
            try connection.execute("DELETE FROM document_text")
            try connection.execute("DELETE FROM document_trigram")
            try connection.execute("DELETE FROM document")
            for product in current { try Self.index(product, in: connection) }
            return ReindexReport(indexed: current.count)
        }
    }

    // MARK: - Searching

    public func search(_ query: SearchQuery) async throws -> SearchResults {
        guard (1...100).contains(query.limit) else { throw SearchError.invalidQuery("limit must be between 1 and 100") }
        guard query.offset >= 0 else { throw SearchError.invalidQuery("offset cannot be negative") }
        let words = Self.words(in: query.text)
        guard !words.isEmpty else { throw SearchError.invalidQuery("there is nothing to search for") }
        guard words.count <= 16 else { throw SearchError.invalidQuery("at most 16 words") }
        // Each word is quoted, so nothing in the text is read as FTS5 syntax; the last one also matches as a prefix.
        let match = words.enumerated().map { index, word in "\"\(word)\"" + (index == words.count - 1 ? "*" : "") }.joined(separator: " ")
        return try await database.read { connection in
            let exact = try Self.wordSearch(match: match, query: query, in: connection)
            if exact.total > 0 || !words.contains(where: { $0.count >= 4 }) { return exact }
            return try Self.trigramSearch(words: words, query: query, in: connection)
        }
    }

    private static func wordSearch(match: String, query: SearchQuery, in connection: Connection) throws -> SearchResults {
        // The sort is a bound parameter read by CASE expressions: the statement text never varies.
        let rows = try connection.query(
            """
            SELECT d.product_id, d.name, d.category, d.price_minor, d.currency,
                highlight(document_text, 0, char(1), char(2)) AS marked_name,
                snippet(document_text, 1, char(1), char(2), '…', 16) AS marked_snippet,
                bm25(document_text, 10.0, 1.0) AS score
            FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND (:category IS NULL OR d.category = :category)
                AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            ORDER BY
                CASE :sort WHEN 'relevance' THEN bm25(document_text, 10.0, 1.0) END,
                CASE :sort WHEN 'price-asc' THEN d.price_minor END,
                CASE :sort WHEN 'price-desc' THEN d.price_minor END DESC,
                CASE :sort WHEN 'name' THEN d.name END,
                d.product_id
            LIMIT :limit OFFSET :offset
            """,
            [
                "match": match, "category": query.category, "min": query.minPrice, "max": query.maxPrice,
                "sort": query.sort.rawValue, "limit": query.limit, "offset": query.offset,
            ]
        )
        let facets = try connection.query(
            """
            SELECT d.category, count(*) AS matches FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            GROUP BY d.category ORDER BY matches DESC, d.category
            """,
            ["match": match, "min": query.minPrice, "max": query.maxPrice]
        ).map { CategoryFacet(category: try $0["category"], count: try $0["matches"]) }
        // The facets apply the same price filters, so the total follows from them without another pass.
        let total = query.category.map { category in facets.first { $0.category == category }?.count ?? 0 } ?? facets.reduce(0) { $0 + $1.count }
        let hits = try rows.map { row in
            SearchHit(
                productID: try row["product_id"],
                name: try row["name"],
                highlightedName: markup(try row["marked_name"]),
                snippet: markup(try row["marked_snippet"]),
                category: try row["category"],
                priceMinorUnits: try row["price_minor"],
                currency: try row["currency"]
            )
        }
        return SearchResults(hits: hits, total: total, facets: facets, approximate: false)
    }

    /// Names sharing at least half of a word's trigrams, best overlap first: typo tolerance.
    private static func trigramSearch(words: [String], query: SearchQuery, in connection: Connection) throws -> SearchResults {
        let wanted = Set(words.filter { $0.count >= 3 }.flatMap(trigrams))
        let match = wanted.sorted().map { "\"\($0)\"" }.joined(separator: " OR ")
        let candidates = try connection.query(
            """
            SELECT d.product_id, d.name, d.description, d.category, d.price_minor, d.currency
            FROM document_trigram JOIN document d ON d.rowid = document_trigram.rowid
            WHERE document_trigram MATCH :match AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            ORDER BY bm25(document_trigram) LIMIT 500
            """,
            ["match": match, "min": query.minPrice, "max": query.maxPrice]
        )
        var scored: [(score: Double, row: Row)] = []
        for row in candidates {
            let name: String = try row["name"]
            let present = Set(trigrams(name.lowercased()))
            // Each query word must find most of its trigrams in the name.
            let scores = words.filter { $0.count >= 3 }.map { word -> Double in
                let wordTrigrams = Set(trigrams(word))
                return Double(wordTrigrams.intersection(present).count) / Double(max(wordTrigrams.count, 1))
            }
            let score = scores.min() ?? 0
            if score >= 0.5 { scored.append((score, row)) }
        }
        scored.sort { $0.score > $1.score }
        let facetCounts = Dictionary(grouping: scored, by: { (try? $0.row["category"] as String) ?? "" }).mapValues(\.count)
        let inCategory = scored.filter { query.category == nil || (try? $0.row["category"] as String) == query.category }
        let page = inCategory.dropFirst(query.offset).prefix(query.limit)
        let hits = try page.map { entry in
            let name: String = try entry.row["name"]
            let description: String = try entry.row["description"]
            return SearchHit(
                productID: try entry.row["product_id"],
                name: name,
                highlightedName: escape(name),
                snippet: escape(String(description.prefix(120))),
                category: try entry.row["category"],
                priceMinorUnits: try entry.row["price_minor"],
                currency: try entry.row["currency"]
            )
        }
        let facets = facetCounts.map { CategoryFacet(category: $0.key, count: $0.value) }.sorted {
            ($0.count, $1.category) > ($1.count, $0.category)
        }
        return SearchResults(hits: hits, total: inCategory.count, facets: facets, approximate: true)
    }

    // MARK: - Text

    /// Lower-cased words of letters and digits.
    static func words(in text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !$0.isEmpty }
    }

    static func trigrams(_ word: String) -> [String] {
        let characters = Array(word)
        guard characters.count >= 3 else { return [] }
        return (0...(characters.count - 3)).map { String(characters[$0..<$0 + 3]) }
    }

    /// HTML-escapes text and turns the FTS5 markers (\u{1} … \u{2}) into `<mark>` … `</mark>`.
    static func markup(_ marked: String) -> String {
        escape(marked).replacingOccurrences(of: "\u{1}", with: "<mark>").replacingOccurrences(of: "\u{2}", with: "</mark>")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
