public import Commerce
public import InventoryAPI

/// One product found.
public struct SearchHit: Codable, Sendable, Hashable {
    /// The product's id.
    public var productID: ProductID
    /// Its name.
    public var name: String
    /// Its name with the matched words between `<mark>` and `</mark>` (other text HTML-escaped).
    public var highlightedName: String
    /// A piece of its description around the matches, marked the same way.
    public var snippet: String
    /// Its category's id.
    public var category: String
    /// Its price in minor units.
    public var priceMinorUnits: Int64
    /// The price's currency.
    public var currency: String
    /// Whether it can be bought now, as Inventory last reported; `nil` before Inventory has said anything.
    public var stock: StockStatus?

    /// Creates a hit.
    public init(
        productID: ProductID,
        name: String,
        highlightedName: String,
        snippet: String,
        category: String,
        priceMinorUnits: Int64,
        currency: String,
        stock: StockStatus? = nil
    ) {
        self.productID = productID
        self.name = name
        self.highlightedName = highlightedName
        self.snippet = snippet
        self.category = category
        self.priceMinorUnits = priceMinorUnits
        self.currency = currency
        self.stock = stock
    }
}

/// How many matches one category holds.
public struct CategoryFacet: Codable, Sendable, Hashable {
    /// The category's id.
    public var category: String
    /// Matches in it.
    public var count: Int

    /// Creates a facet.
    public init(category: String, count: Int) {
        self.category = category
        self.count = count
    }
}

/// The answer to a search.
public struct SearchResults: Codable, Sendable, Hashable {
    /// The hits of the requested page.
    public var hits: [SearchHit]
    /// Matches in all, within the filters.
    public var total: Int
    /// Matches per category, ignoring the category filter, most first.
    public var facets: [CategoryFacet]
    /// Whether the words matched only approximately: nothing matched them as typed, so each word matched the terms
    /// within an edit or two of it instead (typo tolerance). ``total`` and ``facets`` are exact either way.
    public var approximate: Bool

    /// Creates results.
    public init(hits: [SearchHit], total: Int, facets: [CategoryFacet], approximate: Bool) {
        self.hits = hits
        self.total = total
        self.facets = facets
        self.approximate = approximate
    }
}

/// What a reindex did.
public struct ReindexReport: Codable, Sendable, Hashable {
    /// Products indexed.
    public var indexed: Int

    /// Creates a report.
    public init(indexed: Int) { self.indexed = indexed }
}
