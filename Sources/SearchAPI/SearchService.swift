public import ServiceKit

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
