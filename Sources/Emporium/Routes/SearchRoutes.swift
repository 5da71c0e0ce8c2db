import Gateway
import HTTP
import SearchAPI
import ServiceKit

/// Search at the edge: the shop's search box, and the administrators' rebuild.
enum SearchRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        gateway.route(.get, "/api/v1/search", to: SearchEndpoints.search, cache: .publicCacheable(maxAge: .seconds(5))) { request in
            guard let text = request.queryParameter("q"), !text.isEmpty else {
                throw GatewayError.invalidField("q", "is required: the text to search for")
            }
            var sort = SearchQuery.Sort.relevance
            if let name = request.queryParameter("sort") {
                guard let chosen = SearchQuery.Sort(rawValue: name) else {
                    throw GatewayError.invalidField("sort", "must be one of relevance, price-asc, price-desc, name")
                }
                sort = chosen
            }
            return SearchQuery(
                text: text,
                category: request.queryParameter("category"),
                minPrice: try RouteInputs.integer(request, "minPrice"),
                maxPrice: try RouteInputs.integer(request, "maxPrice"),
                sort: sort,
                limit: try RouteInputs.integer(request, "limit").map(Int.init) ?? 20,
                offset: try RouteInputs.integer(request, "offset").map(Int.init) ?? 0,
                inStock: try RouteInputs.boolean(request, "inStock") ?? false
            )
        }
        // Recovery: rebuild the search index from the catalog's API.
        gateway.route(.post, "/api/v1/admin/search/reindex", to: SearchEndpoints.reindex, access: .authenticated("admin")) { _ in NoInput() }
        gateway.mapFailures(SearchError.self) { _ in .badRequest }
    }
}
