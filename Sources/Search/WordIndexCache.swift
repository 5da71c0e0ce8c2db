import InventoryAPI
import Storage
import Synchronization

/// One service's ``WordIndex``: loaded from the database on first use and brought up to date before every query
/// with the documents whose change sequence is newer than the copy's, so it follows writes made by any instance
/// over the same file. Queries work on a copy-on-write snapshot and never wait for one another.
final class WordIndexCache: Sendable {
    /// The index's tokenizer, which FTS5 uses for `document_text`.
    let tokenizer: FullTextTokenizer
    private let state = Mutex<WordIndex?>(nil)

    init(tokenizer: FullTextTokenizer) {
        self.tokenizer = tokenizer
    }

    /// The index as of `connection`'s snapshot or newer.
    /// - Throws: ``StorageError``.
    func current(in connection: Connection) throws -> WordIndex {
        let latest = try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM document") ?? 0
        // Behind, only the sequence is taken out: a copy of the index kept alive across the catch-up below would
        // make every list the catch-up changes a copy (copy-on-write).
        let found = state.withLock { index -> Lookup in
            guard let index else { return .absent }
            return index.sequence >= latest ? .current(index) : .behind(index.sequence)
        }
        let knownSequence: Int64
        switch found {
        case .current(let index): return index
        case .behind(let sequence): knownSequence = sequence
        case .absent:
            let loaded = try Self.load(in: connection, sequence: latest)
            return state.withLock { index in
                if let index, index.sequence >= loaded.sequence { return index }
                index = loaded
                return loaded
            }
        }
        // Read and tokenize the changes outside the lock; apply them in place under it.
        var changes: [(sequence: Int64, rowid: Int64, document: WordIndex.Document?)] = []
        try connection.forEach(
            """
            SELECT d.rowid, d.seq, d.active, d.product_id, d.name, d.description, d.category, d.price_minor, a.status
            FROM document d LEFT JOIN availability a ON a.product_id = d.product_id WHERE d.seq > ? ORDER BY d.seq
            """,
            [knownSequence]
        ) { row in
            let rowid: Int64 = try row["rowid"]
            let active: Int = try row["active"]
            let document =
                active == 0
                ? nil
                : WordIndex.Document(
                    rowid: rowid,
                    productID: try row["product_id"],
                    name: try row["name"],
                    category: try row["category"],
                    price: try row["price_minor"],
                    inStock: Self.inStock(try row["status"]),
                    nameTerms: tokenizer.tokens(in: try row["name"]).map(\.term),
                    descriptionTerms: tokenizer.tokens(in: try row["description"]).map(\.term)
                )
            changes.append((try row["seq"], rowid, document))
        }
        return state.withLock { index in
            guard var current = index.take() else { preconditionFailure("a loaded index is never dropped") }
            for change in changes where change.sequence > current.sequence {
                if let document = change.document { current.add(document) } else { current.remove(change.rowid) }
            }
            current.sequence = max(current.sequence, latest)
            index = current
            return current
        }
    }

    /// Whether Inventory's last word on a product lets it be bought: in stock or low; never heard of is not.
    private static func inStock(_ status: String?) -> Bool {
        status == StockStatus.inStock.rawValue || status == StockStatus.lowStock.rawValue
    }

    private enum Lookup {
        case absent
        case behind(Int64)
        case current(WordIndex)
    }

    /// Reads the whole index from the database: the documents' fields, then every term occurrence from FTS5's own
    /// index (its instance vocabulary), so nothing is tokenized again.
    private static func load(in connection: Connection, sequence: Int64) throws -> WordIndex {
        var index = WordIndex()
        index.sequence = sequence
        try connection.forEach(
            """
            SELECT d.rowid, d.product_id, d.name, d.category, d.price_minor, a.status
            FROM document d LEFT JOIN availability a ON a.product_id = d.product_id WHERE d.active
            """
        ) { row in
            index.setDocument(
                try row["rowid"],
                productID: try row["product_id"],
                name: try row["name"],
                category: try row["category"],
                price: try row["price_minor"],
                inStock: inStock(try row["status"])
            )
        }
        // 1.7 million rows for 100,000 products: the values are matched directly rather than through the typed (and
        // generic) accessors, and each term's postings are gathered before they go into the index, since the rows
        // come grouped by term, then by document.
        var term: String?
        var list: [WordIndex.Posting] = []
        try connection.forEach("SELECT term, doc, col = 'name' FROM document_term") { row in
            let (rowTerm, rowid, inName): (String, Int64, Int64)
            if case .text(let text) = row.values[0], case .integer(let document) = row.values[1], case .integer(let flag) = row.values[2] {
                (rowTerm, rowid, inName) = (text, document, flag)
            } else {
                (rowTerm, rowid, inName) = (try row[0], try row[1], try row[2])  // throws, naming the column
            }
            if rowTerm != term {
                if let term { index.setPostings(list, of: index.intern(term)) }
                term = rowTerm
                list.removeAll(keepingCapacity: true)
            }
            let document = UInt32(rowid)
            if list.last?.document != document { list.append(WordIndex.Posting(document: document, nameCount: 0, descriptionCount: 0)) }
            if inName == 1 { list[list.count - 1].nameCount &+= 1 } else { list[list.count - 1].descriptionCount &+= 1 }
        }
        if let term { index.setPostings(list, of: index.intern(term)) }
        return index
    }
}
