public import CatalogAPI
import Foundation
public import Messaging
public import SearchAPI
import ServiceKit
public import Storage

/// Full-text search over its own index, fed only by catalog events through its inbox (eventually consistent;
/// it never opens the catalog's database). Ranking is bm25 with names weighing ten times descriptions; when the
/// words match nothing, a trigram index finds names with typos. Facets are counted exactly up to
/// ``exactCountLimit`` matches and estimated from a sample beyond it (see ``SearchResults/approximate``).
public struct SQLiteSearchService: SearchService {
    /// The index's database.
    public let database: Database
    /// Events the index failed to apply after every retry, kept in its own database for operators to replay.
    public let deadLetters: SQLiteDeadLetterStore
    private let inbox: Inbox
    private let catalog: any CatalogService
    /// Up to this many matches, facets and totals are counted exactly; beyond it they are estimated from a sample
    /// of about this size and the results say ``SearchResults/approximate``.
    package let exactCountLimit: Int

    /// The catalog events the index follows.
    public static let topics = [ProductCreated.eventType, ProductUpdated.eventType, ProductDeactivated.eventType]

    /// How many matches a query counts exactly unless told otherwise: few enough that looking each one up keeps a
    /// query within a few milliseconds.
    package static let defaultExactCountLimit = 1000

    /// Opens the index over `database`, migrating it first; `catalog` is read only by ``reindex()``.
    /// - Throws: ``StorageError`` when the database cannot be migrated.
    public init(database: Database, catalog: any CatalogService) throws {
        try self.init(database: database, catalog: catalog, exactCountLimit: Self.defaultExactCountLimit)
    }

    /// Opens the index with its own threshold for exact counting, so that tests reach estimated figures with a
    /// handful of products.
    /// - Throws: ``StorageError`` when the database cannot be migrated.
    package init(database: Database, catalog: any CatalogService, exactCountLimit: Int) throws {
        precondition(exactCountLimit >= 1, "the exact count limit must be positive")
        try SearchSchema.migrator.migrate(database)
        self.database = database
        self.inbox = Inbox(database: database, consumer: "search")
        self.deadLetters = SQLiteDeadLetterStore(database: database)
        self.catalog = catalog
        self.exactCountLimit = exactCountLimit
    }

    /// Subscribes the index to the catalog's events, in batches, as consumer group `search`; events that keep
    /// failing go to ``deadLetters``.
    public func subscribe(to bus: any MessageBus) {
        let inbox = inbox
        for topic in Self.topics {
            bus.subscribeInBatches(Subscription(topic: topic, group: "search", deadLetters: deadLetters)) { envelopes in
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
        let exactCountLimit = exactCountLimit
        return try await database.read { connection in
            let exact = try Self.wordSearch(match: match, query: query, exactCountLimit: exactCountLimit, in: connection)
            if exact.total > 0 || !words.contains(where: { $0.count >= 4 }) { return exact }
            return try Self.trigramSearch(words: words, query: query, in: connection)
        }
    }

    /// Counts the matches from the index alone, ranks them to choose the page's rows, and only then reads those
    /// rows' documents and marks them up: a common word matches thousands of products, and every figure taken per
    /// match (a document lookup, a highlight) costs as much as the ranking itself.
    private static func wordSearch(match: String, query: SearchQuery, exactCountLimit: Int, in connection: Connection) throws -> SearchResults {
        let matches = try connection.scalar(Int.self, "SELECT count(*) FROM document_text WHERE document_text MATCH ?", [match]) ?? 0
        guard matches > 0 else { return SearchResults(hits: [], total: 0, facets: [], approximate: false) }
        let estimated = matches > exactCountLimit
        let hits = try markedHits(rowids: try pageRowIDs(match: match, query: query, in: connection), match: match, in: connection)
        if !estimated {
            let facets = try exactFacets(match: match, query: query, in: connection)
            // The facets apply the same price filters, so the total follows from them without another pass.
            let total = query.category.map { category in facets.first { $0.category == category }?.count ?? 0 } ?? facets.reduce(0) { $0 + $1.count }
            return SearchResults(hits: hits, total: total, facets: facets, approximate: false)
        }
        let facets = try sampledFacets(match: match, matches: matches, sampleSize: exactCountLimit, query: query, in: connection)
        let filtered = query.minPrice != nil || query.maxPrice != nil
        var total =
            if let category = query.category {
                facets.first { $0.category == category }?.count ?? 0
            } else if filtered {
                facets.reduce(0) { $0 + $1.count }
            } else {
                matches
            }
        // A sample can miss a rare category or price range that the exact ranking still found.
        total = max(total, query.offset + hits.count)
        return SearchResults(hits: hits, total: total, facets: facets, approximate: true)
    }

    /// The rowids of the requested page, in order. Relevance ties fall back to index order.
    private static func pageRowIDs(match: String, query: SearchQuery, in connection: Connection) throws -> [Int64] {
        if query.sort == .relevance && query.category == nil && query.minPrice == nil && query.maxPrice == nil {
            // Nothing to read from the documents, so no document is looked up for any match.
            return try connection.query(
                """
                SELECT rowid FROM document_text WHERE document_text MATCH :match
                ORDER BY bm25(document_text, 10.0, 1.0), rowid LIMIT :limit OFFSET :offset
                """,
                ["match": match, "limit": query.limit, "offset": query.offset]
            ).map { try $0["rowid"] }
        }
        // The sort is a bound parameter read by CASE expressions: the statement text never varies.
        return try connection.query(
            """
            SELECT document_text.rowid AS rowid
            FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND (:category IS NULL OR d.category = :category)
                AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            ORDER BY
                CASE :sort WHEN 'relevance' THEN bm25(document_text, 10.0, 1.0) END,
                CASE :sort WHEN 'relevance' THEN document_text.rowid END,
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
        ).map { try $0["rowid"] }
    }

    /// The page's rows with their matches marked, in the page's order.
    ///
    /// One statement for the whole page: FTS5 rebuilds a prefix word's list of matches for every statement, so a
    /// statement per row would cost as much as the ranking. The rowid range lets FTS5 skip the matches outside the
    /// page; the unary `+` keeps the `IN` list from being offered to FTS5 as one lookup per rowid.
    private static func markedHits(rowids: [Int64], match: String, in connection: Connection) throws -> [SearchHit] {
        guard let low = rowids.min(), let high = rowids.max() else { return [] }
        let ids = "[" + rowids.map(String.init).joined(separator: ",") + "]"
        var byRowID: [Int64: SearchHit] = [:]
        try connection.forEach(
            """
            SELECT document_text.rowid AS rowid, d.product_id, d.name, d.category, d.price_minor, d.currency,
                highlight(document_text, 0, char(1), char(2)) AS marked_name,
                snippet(document_text, 1, char(1), char(2), '…', 16) AS marked_snippet
            FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND document_text.rowid BETWEEN :low AND :high
                AND +document_text.rowid IN (SELECT value FROM json_each(:ids))
            """,
            ["match": match, "low": low, "high": high, "ids": ids]
        ) { row in
            byRowID[try row["rowid"]] = SearchHit(
                productID: try row["product_id"],
                name: try row["name"],
                highlightedName: markup(try row["marked_name"]),
                snippet: markup(try row["marked_snippet"]),
                category: try row["category"],
                priceMinorUnits: try row["price_minor"],
                currency: try row["currency"]
            )
        }
        return rowids.compactMap { byRowID[$0] }
    }

    /// Matches per category within the price filters, counted over every match.
    private static func exactFacets(match: String, query: SearchQuery, in connection: Connection) throws -> [CategoryFacet] {
        try connection.query(
            """
            SELECT d.category, count(*) AS matches FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            GROUP BY d.category ORDER BY matches DESC, d.category
            """,
            ["match": match, "min": query.minPrice, "max": query.maxPrice]
        ).map { CategoryFacet(category: try $0["category"], count: try $0["matches"]) }
    }

    /// Matches per category estimated from about `sampleSize` of the `matches`, scaled up.
    ///
    /// The sample is the matches whose rowid hashes below a cut (Fibonacci hashing: rowid × ⌊2³²/φ⌋ modulo 2³²),
    /// so it spreads evenly over the whole index rather than favouring the oldest products, and does not follow
    /// any period in how rowids were given out. Only sampled matches are looked up in `document`.
    private static func sampledFacets(
        match: String,
        matches: Int,
        sampleSize: Int,
        query: SearchQuery,
        in connection: Connection
    ) throws -> [CategoryFacet] {
        let cut = Int64((Double(sampleSize) / Double(matches) * 4_294_967_296).rounded(.up))
        // The sample is taken before the price filters so that it also says what share of all matches it holds;
        // the rowid is reduced below 2³¹ first, so the product stays below 2⁶³.
        let rows = try connection.query(
            """
            SELECT d.category, count(*) AS sampled,
                sum((:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)) AS matches
            FROM document_text JOIN document d ON d.rowid = document_text.rowid
            WHERE document_text MATCH :match AND (document_text.rowid % 2147483648) * 2654435769 % 4294967296 < :cut
            GROUP BY d.category
            """,
            ["match": match, "cut": cut, "min": query.minPrice, "max": query.maxPrice]
        )
        let sampled = try rows.reduce(0) { $0 + (try $1["sampled"] as Int) }
        guard sampled > 0 else { return [] }
        let scale = Double(matches) / Double(sampled)
        return try rows.compactMap { row in
            let count = Int((Double(try row["matches"] as Int) * scale).rounded())
            return count > 0 ? CategoryFacet(category: try row["category"], count: count) : nil
        }.sorted { ($0.count, $1.category) > ($1.count, $0.category) }
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
