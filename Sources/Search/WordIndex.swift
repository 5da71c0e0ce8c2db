import Foundation
import SearchAPI

/// The search index's words in memory: for every term (as FTS5's tokenizer makes it) the documents holding it and
/// how often, in each column; for every document its length, category, price, name and product id.
///
/// It is a copy of what `search.sqlite` holds, made to answer a query without touching each match on disk: bm25
/// over 10,000 matches costs about 7 ms inside FTS5 (a length lookup and a position list per match) and well under
/// a millisecond here. The database stays the record: the copy is loaded from the FTS5 table's own index and kept
/// current from the documents' change sequence (see ``WordIndexCache``).
///
/// Documents are keyed by their `rowid` in `document` and the FTS5 table, which an update keeps.
struct WordIndex: Sendable {
    /// One document's occurrences of one term.
    struct Posting: Sendable {
        var document: UInt32
        var nameCount: UInt16
        var descriptionCount: UInt16
    }

    /// What a query shows of a document, and the terms to remove when it changes.
    struct Details: Sendable {
        var productID: String
        var name: String
        var terms: [UInt32]
    }

    /// A document as it is added.
    struct Document: Sendable {
        var rowid: Int64
        var productID: String
        var name: String
        var category: String
        var price: Int64
        /// Whether Inventory reports it available (in stock or low).
        var inStock: Bool
        var nameTerms: [String]
        var descriptionTerms: [String]
    }

    /// bm25's parameters, as FTS5's `bm25()` has them, and the columns' weights (a word in the name counts as ten in
    /// the description).
    static let k1 = 1.2
    static let b = 0.75
    static let nameWeight: Int32 = 10
    static let descriptionWeight: Int32 = 1

    /// The change sequence (`document.seq`) this copy includes.
    var sequence: Int64 = 0

    private(set) var terms: [String] = []
    private var termIDs: [String: UInt32] = [:]
    /// Term ids ordered by the terms' UTF-8 bytes, for prefix ranges.
    private(set) var sortedTermIDs: [UInt32] = []
    private var postings: [[Posting]] = []

    /// Per rowid: the document's length in tokens (0 when absent), category, price and details.
    private var lengths: [Int32] = []
    private var categoryOf: [Int32] = []
    private var prices: [Int64] = []
    private var stocked: [Bool] = []
    private var details: [Details?] = []
    private var categories: [String] = []
    private var categoryIDs: [String: Int32] = [:]

    private var documentCount = 0
    private var totalLength = 0

    // MARK: - Changing

    /// Whether the document with `rowid` is in the index.
    func contains(_ rowid: Int64) -> Bool {
        rowid >= 0 && rowid < details.count && details[Int(rowid)] != nil
    }

    /// Adds a document; one already there under the same rowid is replaced. The terms both versions hold keep
    /// their postings, updated in place: a posting list of a common word holds most documents, and moving it to
    /// take one out and put it back would cost more than the rest of the update.
    mutating func add(_ document: Document) {
        let slot = Int(document.rowid)
        precondition(slot >= 0 && slot < Int(UInt32.max), "rowid \(document.rowid) out of range")
        var counts: [String: (name: UInt16, description: UInt16)] = [:]
        for term in document.nameTerms { counts[term, default: (0, 0)].name &+= 1 }
        for term in document.descriptionTerms { counts[term, default: (0, 0)].description &+= 1 }
        let kept = Set(counts.keys.compactMap { termIDs[$0] })
        let existed = contains(document.rowid)
        let previous = existed ? details[slot]!.terms : []
        for id in previous where !kept.contains(id) { removePosting(of: UInt32(slot), from: id) }
        if existed {
            documentCount -= 1
            totalLength -= Int(lengths[slot])
        }
        grow(to: slot + 1)
        let held = Set(previous)
        var ids: [UInt32] = []
        ids.reserveCapacity(counts.count)
        for (term, count) in counts {
            let id = intern(term)
            ids.append(id)
            let posting = Posting(document: UInt32(slot), nameCount: count.name, descriptionCount: count.description)
            if held.contains(id) {
                let position = Self.position(of: posting.document, in: postings[Int(id)])
                postings[Int(id)][position] = posting
            } else {
                insert(posting, into: id)
            }
        }
        let length = document.nameTerms.count + document.descriptionTerms.count
        place(slot, category: document.category, price: document.price, length: length)
        stocked[slot] = document.inStock
        details[slot] = Details(productID: document.productID, name: document.name, terms: ids)
    }

    /// Removes the document with `rowid`, if it is there.
    mutating func remove(_ rowid: Int64) {
        guard contains(rowid) else { return }
        let slot = Int(rowid)
        for id in details[slot]!.terms { removePosting(of: UInt32(slot), from: id) }
        documentCount -= 1
        totalLength -= Int(lengths[slot])
        lengths[slot] = 0
        details[slot] = nil
    }

    private mutating func removePosting(of document: UInt32, from id: UInt32) {
        let position = Self.position(of: document, in: postings[Int(id)])
        if position < postings[Int(id)].count && postings[Int(id)][position].document == document { postings[Int(id)].remove(at: position) }
    }

    /// Starts a document read from FTS5's index, whose postings follow with ``addOccurrence(term:rowid:inName:)``.
    mutating func setDocument(_ rowid: Int64, productID: String, name: String, category: String, price: Int64, inStock: Bool) {
        let slot = Int(rowid)
        grow(to: slot + 1)
        if details[slot] == nil { documentCount += 1 }
        categoryOf[slot] = categoryID(category)
        prices[slot] = price
        stocked[slot] = inStock
        details[slot] = Details(productID: productID, name: name, terms: details[slot]?.terms ?? [])
    }

    /// Every posting of one term (its id from ``intern(_:)``), in document order, as FTS5's instance vocabulary
    /// lists them; postings of documents not set with ``setDocument(_:productID:name:category:price:inStock:)`` are
    /// skipped.
    mutating func setPostings(_ list: [Posting], of id: UInt32) {
        var kept: [Posting] = []
        kept.reserveCapacity(list.count)
        for posting in list where contains(Int64(posting.document)) {
            let slot = Int(posting.document)
            let length = Int32(posting.nameCount) + Int32(posting.descriptionCount)
            lengths[slot] += length
            totalLength += Int(length)
            details[slot]!.terms.append(id)
            kept.append(posting)
        }
        postings[Int(id)] = kept
    }

    private mutating func place(_ slot: Int, category: String, price: Int64, length: Int) {
        categoryOf[slot] = categoryID(category)
        prices[slot] = price
        lengths[slot] = Int32(length)
        documentCount += 1
        totalLength += length
    }

    private mutating func grow(to count: Int) {
        guard count > lengths.count else { return }
        let capacity = max(count, lengths.count * 2, 64)
        lengths += repeatElement(0, count: capacity - lengths.count)
        categoryOf += repeatElement(-1, count: capacity - categoryOf.count)
        prices += repeatElement(0, count: capacity - prices.count)
        stocked += repeatElement(false, count: capacity - stocked.count)
        details += repeatElement(nil, count: capacity - details.count)
    }

    private mutating func categoryID(_ category: String) -> Int32 {
        if let id = categoryIDs[category] { return id }
        let id = Int32(categories.count)
        categories.append(category)
        categoryIDs[category] = id
        return id
    }

    /// The id of `term`, added to the vocabulary if new.
    mutating func intern(_ term: String) -> UInt32 {
        if let id = termIDs[term] { return id }
        let id = UInt32(terms.count)
        terms.append(term)
        termIDs[term] = id
        postings.append([])
        let position = lowerBound(term)
        sortedTermIDs.insert(id, at: position)
        return id
    }

    private mutating func insert(_ posting: Posting, into id: UInt32) {
        let list = postings[Int(id)]
        if list.last.map({ $0.document < posting.document }) ?? true {
            postings[Int(id)].append(posting)
        } else {
            postings[Int(id)].insert(posting, at: Self.position(of: posting.document, in: list))
        }
    }

    private static func position(of document: UInt32, in list: [Posting]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].document < document { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: - Looking up terms

    /// The id of `term`, if any document ever held it.
    func id(of term: String) -> UInt32? { termIDs[term] }

    /// The ids of every term starting with `prefix` (byte-wise, as FTS5 matches prefixes).
    func ids(withPrefix prefix: String) -> [UInt32] {
        var ids: [UInt32] = []
        var position = lowerBound(prefix)
        while position < sortedTermIDs.count, terms[Int(sortedTermIDs[position])].utf8.starts(with: prefix.utf8) {
            ids.append(sortedTermIDs[position])
            position += 1
        }
        return ids
    }

    /// The first position in ``sortedTermIDs`` whose term is not before `term`.
    private func lowerBound(_ term: String) -> Int {
        var low = 0
        var high = sortedTermIDs.count
        while low < high {
            let middle = (low + high) / 2
            if terms[Int(sortedTermIDs[middle])].utf8.lexicographicallyPrecedes(term.utf8) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: - Querying

    /// What a query asks of the index: each group is one query word's terms (one term, or several for a prefix or
    /// a mistyped word); a document matches when it holds a term of every group.
    struct Query {
        var groups: [[UInt32]]
        var category: String?
        var minPrice: Int64?
        var maxPrice: Int64?
        var inStockOnly = false
        var sort: SearchQuery.Sort
        var offset: Int
        var limit: Int
    }

    /// A query's answer: the page's rowids in order, and figures over every match.
    struct Answer {
        var page: [Int64]
        /// Matches within all the filters.
        var total: Int
        /// Matches before any filter.
        var matches: Int
        /// Matches per category within the price filters, most first.
        var facets: [CategoryFacet]
        /// The page's bm25 scores, higher is better (FTS5's `bm25()` negated); empty unless sorted by relevance.
        var scores: [Double] = []
    }

    /// Finds the documents holding a term of every group, scores them with bm25 exactly as FTS5's
    /// `bm25(document_text, 10.0, 1.0)` does, counts them per category and returns the requested page.
    ///
    /// FTS5's bm25 treats the columns as one field whose term frequencies are weighted by column: for each group
    /// (FTS5's phrase) `idf = ln((N - n + 0.5) / (n + 0.5))` (at least 10⁻⁶), with `n` the documents holding the
    /// group, and the score adds `idf · f · (k1 + 1) / (f + k1 · (1 - b + b · D / avgdl))` with `f` the weighted
    /// occurrences in the document and `D` its length in tokens. Ties go to the smaller rowid (index order).
    func answer(_ query: Query) -> Answer {
        let groups = query.groups
        guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty }), documentCount > 0 else {
            return Answer(page: [], total: 0, matches: 0, facets: [])
        }
        let capacity = lengths.count
        let averageLength = Double(totalLength) / Double(documentCount)
        let scoring = query.sort == .relevance
        var frequency = [Int32](repeating: 0, count: capacity)
        var groupsMatched = [UInt8](repeating: 0, count: capacity)
        var score = scoring ? [Double](repeating: 0, count: capacity) : []
        var candidates: [UInt32] = []
        var touched: [UInt32] = []
        for (index, group) in groups.enumerated() {
            touched.removeAll(keepingCapacity: true)
            for id in group {
                for posting in postings[Int(id)] {
                    let document = Int(posting.document)
                    if frequency[document] == 0 { touched.append(posting.document) }
                    frequency[document] +=
                        Int32(posting.nameCount) * Self.nameWeight + Int32(posting.descriptionCount) * Self.descriptionWeight
                }
            }
            let holding = Double(touched.count)
            let idf = max(1e-6, log((Double(documentCount) - holding + 0.5) / (holding + 0.5)))
            let step = UInt8(truncatingIfNeeded: index)
            for document in touched {
                let slot = Int(document)
                if groupsMatched[slot] == step {
                    groupsMatched[slot] = step &+ 1
                    if scoring {
                        // The same operations in the same order as FTS5's bm25, so equal inputs give equal scores.
                        let f = Double(frequency[slot])
                        let norm = Self.k1 * (1 - Self.b + Self.b * Double(lengths[slot]) / averageLength)
                        score[slot] += idf * ((f * (Self.k1 + 1)) / (f + norm))
                    }
                }
                frequency[slot] = 0
            }
            if index == 0 { candidates = touched }
        }
        let all = UInt8(truncatingIfNeeded: groups.count)
        let category = query.category.flatMap { categoryIDs[$0] }
        var facetCounts = [Int](repeating: 0, count: categories.count)
        var matches = 0
        var selected: [UInt32] = []
        for document in candidates where groupsMatched[Int(document)] == all {
            let slot = Int(document)
            matches += 1
            let price = prices[slot]
            if let minimum = query.minPrice, price < minimum { continue }
            if let maximum = query.maxPrice, price > maximum { continue }
            if query.inStockOnly && !stocked[slot] { continue }
            facetCounts[Int(categoryOf[slot])] += 1
            if query.category == nil || categoryOf[slot] == category { selected.append(document) }
        }
        // An offset past the matches asks for nothing (and is never added to, so no offset overflows).
        let wanted = query.offset >= selected.count ? 0 : query.offset + query.limit
        let ordered: [UInt32]
        switch query.sort {
        case .relevance:
            ordered = selected.smallest(wanted) { score[Int($0)] > score[Int($1)] || (score[Int($0)] == score[Int($1)] && $0 < $1) }
        case .priceAscending:
            ordered = selected.smallest(wanted) { (prices[Int($0)], id($0)) < (prices[Int($1)], id($1)) }
        case .priceDescending:
            ordered = selected.smallest(wanted) { prices[Int($0)] > prices[Int($1)] || (prices[Int($0)] == prices[Int($1)] && id($0) < id($1)) }
        case .name:
            ordered = selected.smallest(wanted) { (details[Int($0)]!.name, id($0)) < (details[Int($1)]!.name, id($1)) }
        }
        let facets = facetCounts.enumerated().filter { $0.element > 0 }.map { CategoryFacet(category: categories[$0.offset], count: $0.element) }
            .sorted { ($0.count, $1.category) > ($1.count, $0.category) }
        let page = ordered.dropFirst(query.offset)
        return Answer(
            page: page.map { Int64($0) },
            total: selected.count,
            matches: matches,
            facets: facets,
            scores: scoring ? page.map { score[Int($0)] } : []
        )
    }

    private func id(_ document: UInt32) -> String { details[Int(document)]!.productID }
}

extension Array {
    /// The first `count` elements in `areInIncreasingOrder`'s order, found with a bounded heap rather than by sorting
    /// every element: a page of 20 out of 10,000 matches.
    func smallest(_ count: Int, by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        guard count < self.count else { return sorted(by: areInIncreasingOrder) }
        guard count > 0 else { return [] }
        // A max-heap of the best `count` so far: its root is the worst of them.
        var heap: [Element] = []
        heap.reserveCapacity(count)
        for element in self {
            if heap.count < count {
                heap.append(element)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard areInIncreasingOrder(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if areInIncreasingOrder(element, heap[0]) {
                heap[0] = element
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    let right = left + 1
                    var largest = parent
                    if left < count && areInIncreasingOrder(heap[largest], heap[left]) { largest = left }
                    if right < count && areInIncreasingOrder(heap[largest], heap[right]) { largest = right }
                    if largest == parent { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        return heap.sorted(by: areInIncreasingOrder)
    }
}
