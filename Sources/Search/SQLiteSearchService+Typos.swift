import SearchAPI
import Storage

extension SQLiteSearchService {
    /// At most this many trigram groups per word in a typo query; a long word gives up some of its trigrams
    /// instead (see ``typoMatch(words:)``).
    static let maximumTrigramGroups = 24

    /// Names sharing at least half of each word's trigrams, best overlap first: typo tolerance.
    ///
    /// The trigram index itself keeps only names that can reach half of every word's trigrams (see
    /// ``typoMatch(words:)``), so the candidates need no ranking in SQL; the overlap is then measured exactly here.
    static func trigramSearch(words: [String], query: SearchQuery, in connection: Connection) throws -> SearchResults {
        let scoredWords = words.filter { $0.count >= 3 }
        guard let match = typoMatch(words: scoredWords) else { return SearchResults(hits: [], total: 0, facets: [], approximate: true) }
        let candidates = try connection.query(
            """
            SELECT d.product_id, d.name, d.description, d.category, d.price_minor, d.currency
            FROM document_trigram JOIN document d ON d.rowid = document_trigram.rowid
            WHERE document_trigram MATCH :match AND (:min IS NULL OR d.price_minor >= :min) AND (:max IS NULL OR d.price_minor <= :max)
            LIMIT 500
            """,
            ["match": match, "min": query.minPrice, "max": query.maxPrice]
        )
        let wordTrigrams = scoredWords.map { Set(trigrams($0)) }
        var scored: [(score: Double, row: Row)] = []
        for row in candidates {
            let name = (try row["name"] as String).lowercased()
            // Each query word must find most of its trigrams in the name; a trigram is in the name when the name
            // holds it as text, which spares building every name's trigrams.
            let scores = wordTrigrams.map { wanted -> Double in
                Double(wanted.count { name.contains($0) }) / Double(max(wanted.count, 1))
            }
            let score = scores.min() ?? 0
            if score >= 0.5 { scored.append((score, row)) }
        }
        // Stable, so equal overlaps keep index order.
        scored = scored.enumerated().sorted { ($0.element.score, $1.offset) > ($1.element.score, $0.offset) }.map(\.element)
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

    /// An FTS5 query for the trigram index matching the names that hold at least half of every word's trigrams,
    /// or `nil` when no word has a trigram.
    ///
    /// Each word becomes an OR of AND groups: with `n` distinct trigrams of which `k = ⌈n/2⌉` must be present, the
    /// groups are the `k`-subsets. A word whose groups would outnumber ``maximumTrigramGroups`` keeps only its first
    /// `m` trigrams and asks for `k - (n - m)` of them (at least one): every name with `k` of all `n` still has that
    /// many of the first `m`, so the query finds a superset, which the exact overlap measured afterwards narrows.
    /// Every word must match: its expressions are joined by AND.
    ///
    /// ```swift
    /// typoMatch(words: ["lamb"])  // ("amb") OR ("lam")
    /// ```
    package static func typoMatch(words: [String]) -> String? {
        let expressions = words.compactMap { word -> String? in
            var seen = Set<String>()
            let distinct = trigrams(word).filter { seen.insert($0).inserted }
            guard !distinct.isEmpty else { return nil }
            let needed = (distinct.count + 1) / 2
            var kept = distinct.count
            while kept > 1 && combinations(kept, max(1, needed - (distinct.count - kept))) > maximumTrigramGroups { kept -= 1 }
            let groups = subsets(of: Array(distinct.prefix(kept)).sorted(), size: max(1, needed - (distinct.count - kept)))
            return groups.map { group in "(" + group.map { "\"\($0)\"" }.joined(separator: " AND ") + ")" }.joined(separator: " OR ")
        }
        guard !expressions.isEmpty else { return nil }
        return expressions.count == 1 ? expressions[0] : expressions.map { "(\($0))" }.joined(separator: " AND ")
    }

    private static func combinations(_ n: Int, _ k: Int) -> Int {
        guard k >= 0 && k <= n else { return 0 }
        var result = 1
        for index in 0..<min(k, n - k) { result = result * (n - index) / (index + 1) }
        return result
    }

    /// The `size`-element subsets of `elements`, each in the elements' order.
    private static func subsets(of elements: [String], size: Int) -> [[String]] {
        guard size > 0 else { return [[]] }
        guard elements.count >= size else { return [] }
        let first = elements[0]
        let rest = Array(elements.dropFirst())
        return subsets(of: rest, size: size - 1).map { [first] + $0 } + subsets(of: rest, size: size)
    }
}
