public import CatalogAPI
import Commerce
import Foundation
import InventoryAPI
public import Messaging
public import SearchAPI
import ServiceKit
public import Storage

/// Full-text search over its own index, fed only by catalog events through its inbox (eventually consistent;
/// it never opens the catalog's database).
///
/// The documents and their FTS5 index are kept in `search.sqlite`; queries are answered from a copy of the word
/// index in memory (``WordIndex``), loaded from FTS5's own index and kept current from the documents' change
/// sequence. Ranking is FTS5's bm25 with names weighing ten times descriptions, computed over every match, so
/// totals and facets are always exact. When the words match nothing, terms within an edit or two of each word
/// are tried instead (typo tolerance, ``SearchResults/approximate``).
public struct SQLiteSearchService: SearchService {
    /// The index's database.
    public let database: Database
    private let catalog: any CatalogService
    private let words: WordIndexCache
    /// Splits query words as typed, without stemming, for typo tolerance.
    private let plainTokenizer: FullTextTokenizer

    /// The index over `database`, migrated with ``Module/search``'s migrations; `catalog` is read only by
    /// ``reindex()``.
    /// - Throws: ``StorageError`` when SQLite's FTS5 tokenizers are unavailable.
    public init(database: Database, catalog: any CatalogService) throws {
        self.database = database
        self.catalog = catalog
        self.words = WordIndexCache(tokenizer: try FullTextTokenizer(SearchSchema.tokenizer))
        self.plainTokenizer = try FullTextTokenizer(SearchSchema.plainTokenizer)
    }

    /// How the index follows the catalog: each product event brings its document up to date inside the inbox's
    /// transaction, a batch at a time.
    public static var eventHandlers: TransactionalEventHandlers {
        var handlers = TransactionalEventHandlers()
        handlers.on(ProductCreated.self) { event, _, connection in try index(event.product, in: connection) }
        handlers.on(ProductUpdated.self) { event, _, connection in try index(event.product, in: connection) }
        handlers.on(ProductDeactivated.self) { event, _, connection in try index(event.product, in: connection) }
        handlers.on(StockLevelChanged.self) { event, _, connection in try keep(event.availability, in: connection) }
        return handlers
    }

    // MARK: - Indexing

    /// Brings one product's document up to date; an older version than the indexed one changes nothing, unless
    /// `replacing` (a reindex). The row keeps its rowid and gets the next change sequence; a deactivated product
    /// keeps its row, inactive, and leaves the FTS5 index.
    static func index(_ product: Product, in connection: Connection, replacing: Bool = false) throws {
        let existing = try connection.queryFirst("SELECT rowid, version, active FROM document WHERE product_id = ?", [product.id.rawValue])
        if let existing, !replacing, try existing["version"] as Int >= product.version { return }
        let sequence = try nextSequence(in: connection)
        let fields: [SQLValue] = [
            .text(product.name), .text(product.description), .text(product.category.rawValue), .integer(product.price.minorUnits),
            .text(product.price.currency), .integer(Int64(product.version)), .integer(product.active ? 1 : 0), .integer(sequence),
        ]
        let rowid: Int64
        if let existing {
            rowid = try existing["rowid"]
            if try existing["active"] as Int == 1 { try connection.execute("DELETE FROM document_text WHERE rowid = ?", [rowid]) }
            try connection.execute(
                """
                UPDATE document SET name = ?, description = ?, category = ?, price_minor = ?, currency = ?, version = ?, active = ?,
                    seq = ? WHERE rowid = ?
                """,
                StatementArguments(fields + [.integer(rowid)])
            )
        } else {
            try connection.execute(
                """
                INSERT INTO document (name, description, category, price_minor, currency, version, active, seq, product_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                StatementArguments(fields + [.text(product.id.rawValue)])
            )
            rowid = connection.lastInsertRowID
        }
        guard product.active else { return }
        try connection.execute("INSERT INTO document_text (rowid, name, description) VALUES (?, ?, ?)", [rowid, product.name, product.description])
    }

    /// Keeps what Inventory says of a product's stock; its document, if there is one, gets the next change
    /// sequence, so every copy of the index in memory reads it again (with its stock) before its next query.
    static func keep(_ availability: Availability, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO availability (product_id, status, available) VALUES (?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET status = excluded.status, available = excluded.available
            """,
            [availability.productId.rawValue, availability.status.rawValue, availability.available]
        )
        try connection.execute(
            "UPDATE document SET seq = ? WHERE product_id = ?",
            [try nextSequence(in: connection), availability.productId.rawValue]
        )
    }

    private static func nextSequence(in connection: Connection) throws -> Int64 {
        try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) + 1 FROM document") ?? 1
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
            // Every document becomes a tombstone, then each product the catalog lists is written again: whatever
            // the catalog no longer lists stays out, and copies in memory see every row change.
            try connection.execute("DELETE FROM document_text")
            try connection.execute("UPDATE document SET active = 0, seq = ? WHERE active = 1", [try Self.nextSequence(in: connection)])
            for product in current { try Self.index(product, in: connection, replacing: true) }
            return ReindexReport(indexed: current.count)
        }
    }

    // MARK: - Searching

    public func search(_ query: SearchQuery) async throws -> SearchResults {
        guard (1...100).contains(query.limit) else { throw SearchError.invalidQuery("limit must be between 1 and 100", field: "limit") }
        guard query.offset >= 0 else { throw SearchError.invalidQuery("offset cannot be negative", field: "offset") }
        let words = queryWords(query.text)
        guard !words.isEmpty else { throw SearchError.invalidQuery("there is nothing to search for", field: "q") }
        guard words.count <= 16 else { throw SearchError.invalidQuery("at most 16 words", field: "q") }
        let cache = self.words
        return try await database.read { connection in
            let index = try cache.current(in: connection)
            var request = WordIndex.Query(
                groups: words.map { word in word.isLast ? index.ids(withPrefix: word.stem) : index.id(of: word.stem).map { [$0] } ?? [] },
                category: query.category,
                minPrice: query.minPrice,
                maxPrice: query.maxPrice,
                inStockOnly: query.inStock,
                sort: query.sort,
                offset: query.offset,
                limit: query.limit
            )
            var matcher = TermMatcher(terms: Set(words.filter { !$0.isLast }.map(\.stem)), prefixes: words.filter(\.isLast).map(\.stem))
            var answer = index.answer(request)
            let tolerant = words.contains { WordIndex.allowedEdits(length: $0.typed.count) > 0 }
            guard answer.matches == 0 && tolerant else {
                return try Self.results(
                    answer,
                    approximate: false,
                    markup: SearchMarkup(tokenizer: cache.tokenizer, matcher: matcher),
                    in: connection
                )
            }
            // Nothing matched as typed: each word matches the terms within its allowed edits instead.
            request.groups = words.map { word in
                index.ids(near: [word.typed, word.stem], prefix: word.isLast)
            }
            matcher = TermMatcher(terms: Set(request.groups.joined().map { index.terms[Int($0)] }), prefixes: [])
            answer = index.answer(request)
            return try Self.results(answer, approximate: true, markup: SearchMarkup(tokenizer: cache.tokenizer, matcher: matcher), in: connection)
        }
    }

    /// One word of a query: as typed (case and diacritics folded) and as the index's tokenizer stems it; the last
    /// word also matches as a prefix.
    struct QueryWord: Sendable {
        var typed: String
        var stem: String
        var isLast: Bool
    }

    /// The query's words, split by the index's own tokenizer, so that nothing in the text is read as syntax.
    func queryWords(_ text: String) -> [QueryWord] {
        let stems = words.tokenizer.tokens(in: text, for: .query)
        var typed: [Range<Int>: String] = [:]
        for token in plainTokenizer.tokens(in: text, for: .query) { typed[token.range] = token.term }
        return stems.enumerated().map { position, token in
            QueryWord(typed: typed[token.range] ?? token.term, stem: token.term, isLast: position == stems.count - 1)
        }
    }

    /// The page's documents, read by rowid and marked up, in the answer's order.
    private static func results(
        _ answer: WordIndex.Answer,
        approximate: Bool,
        markup: SearchMarkup,
        in connection: Connection
    ) throws
        -> SearchResults
    {
        var byRowID: [Int64: SearchHit] = [:]
        if !answer.page.isEmpty {
            try connection.forEach(
                """
                SELECT d.rowid, d.product_id, d.name, d.description, d.category, d.price_minor, d.currency, a.status
                FROM document d LEFT JOIN availability a ON a.product_id = d.product_id
                WHERE d.rowid IN (SELECT value FROM json_each(?))
                """,
                ["[" + answer.page.map(String.init).joined(separator: ",") + "]"]
            ) { row in
                let name: String = try row["name"]
                byRowID[try row["rowid"]] = SearchHit(
                    productID: ProductID(rawValue: try row["product_id"]),
                    name: name,
                    highlightedName: markup.highlighted(name),
                    snippet: markup.snippet(try row["description"]),
                    category: try row["category"],
                    priceMinorUnits: try row["price_minor"],
                    currency: try row["currency"],
                    stock: (try row["status"] as String?).flatMap(StockStatus.init(rawValue:))
                )
            }
        }
        // A document the snapshot does not have yet (another query brought the index further) is left out.
        let hits = answer.page.compactMap { byRowID[$0] }
        return SearchResults(hits: hits, total: answer.total, facets: answer.facets, approximate: approximate)
    }
}
