public import Commerce
public import ServiceKit

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

    /// Creates a query.
    public init(
        text: String,
        category: String? = nil,
        minPrice: Int64? = nil,
        maxPrice: Int64? = nil,
        sort: Sort = .relevance,
        limit: Int = 20,
        offset: Int = 0
    ) {
        self.text = text
        self.category = category
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.sort = sort
        self.limit = limit
        self.offset = offset
    }
}

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

    /// Creates a hit.
    public init(
        productID: ProductID,
        name: String,
        highlightedName: String,
        snippet: String,
        category: String,
        priceMinorUnits: Int64,
        currency: String
    ) {
        self.productID = productID
        self.name = name
        self.highlightedName = highlightedName
        self.snippet = snippet
        self.category = category
        self.priceMinorUnits = priceMinorUnits
        self.currency = currency
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

/// Why a search was refused.
public enum SearchError: ServiceFailure {
    /// The query cannot be run; the text says why.
    case invalidQuery(String)
}

/// Full-text search over the catalog, kept up to date by catalog events.
public protocol SearchService: Sendable {
    /// Runs a query.
    /// - Throws: ``SearchError/invalidQuery(_:)``.
    func search(_ query: SearchQuery) async throws -> SearchResults
    /// Rebuilds the index from the catalog, for recovery.
    func reindex() async throws -> ReindexReport
}

/// The search service's endpoints.
public enum SearchEndpoints {
    /// ``SearchService/search(_:)``.
    public static let search = Endpoint<SearchQuery, SearchResults>("search.query", idempotent: true, failure: SearchError.self)
    /// ``SearchService/reindex()``.
    public static let reindex = Endpoint<NoInput, ReindexReport>("search.reindex", timeout: .seconds(60), failure: SearchError.self)
}

/// Search as other modules and the gateway reach it.
public struct SearchClient: SearchService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func search(_ query: SearchQuery) async throws -> SearchResults { try await client.call(SearchEndpoints.search, query) }
    public func reindex() async throws -> ReindexReport { try await client.call(SearchEndpoints.reindex, NoInput()) }
}

extension EndpointHandlers {
    /// Registers every search endpoint to be answered by `service`.
    public mutating func registerSearch(_ service: some SearchService) {
        register(SearchEndpoints.search) { try await service.search($0) }
        register(SearchEndpoints.reindex) { _ in try await service.reindex() }
    }
}
