/// A search over the catalog's products.
public struct SearchQuery: Codable, Sendable, Hashable {
    /// How results are ordered.
    public enum Sort: String, Codable, Sendable, Hashable {
        /// Best match first (bm25, name matches weigh more than description matches).
        case relevance
        /// Cheapest first.
        case priceAscending = "price-asc"
        /// Dearest first.
        case priceDescending = "price-desc"
        /// By name.
        case name
    }

    /// The words to look for; the last word also matches as a prefix (`lam` finds `lamp`).
    public var text: String
    /// Only this category (its id); facets still count every category.
    public var category: String?
    /// Lowest price in minor units, inclusive.
    public var minPrice: Int64?
    /// Highest price in minor units, inclusive.
    public var maxPrice: Int64?
    /// The order.
    public var sort: Sort
    /// Hits per page, 1...100.
    public var limit: Int
    /// Hits to skip.
    public var offset: Int
    /// Only products Inventory reports available (in stock or low); products it has said nothing of are left out.
    public var inStock: Bool

    /// Creates a query.
    public init(
        text: String,
        category: String? = nil,
        minPrice: Int64? = nil,
        maxPrice: Int64? = nil,
        sort: Sort = .relevance,
        limit: Int = 20,
        offset: Int = 0,
        inStock: Bool = false
    ) {
        self.text = text
        self.category = category
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.sort = sort
        self.limit = limit
        self.offset = offset
        self.inStock = inStock
    }
}
