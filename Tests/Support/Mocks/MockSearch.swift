public import SearchAPI
public import ServiceKit

/// Search's API answered by closures; each method the test does not set records a test issue when called.
public struct MockSearch: SearchService {
    public var onSearch: @Sendable (SearchQuery) async throws -> SearchResults = unexpected("SearchService.search")
    public var onReindex: @Sendable (NoInput) async throws -> ReindexReport = unexpected("SearchService.reindex")

    /// Search expecting no calls.
    public init() {}

    public func search(_ query: SearchQuery) async throws -> SearchResults { try await onSearch(query) }
    public func reindex() async throws -> ReindexReport { try await onReindex(NoInput()) }

    /// The mock as the `search` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerSearch(self)
        return MockService(name: "search", handlers: handlers)
    }
}
