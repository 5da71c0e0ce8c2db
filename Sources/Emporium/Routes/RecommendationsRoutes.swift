import Commerce
import Gateway
import HTTP
import RecommendationsAPI
import ServiceKit

/// Recommendations at the edge: a product page's "customers who bought this also bought", a signed-in customer's "for
/// you", the store's report of a product view, and the administrators' rebuild.
///
/// Views are reported by the store with a `POST` rather than counted by the gateway on `GET /api/v1/products/{id}`: a
/// `GET` stays safe and cacheable (the response cache answers most product pages without reaching any service, so
/// it would hide most views), and prefetchers, crawlers and health checks that fetch pages do not count as people
/// looking. Neither recommendation route is cached: a signed-in caller's answer leaves out what they bought.
enum RecommendationsRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let recommendations = RecommendationsClient(client: gateway.client)
        gateway.route(
            .get,
            "/api/v1/products/{id}/recommendations",
            to: RecommendationsEndpoints.forProduct,
            access: .optionallyAuthenticated
        ) { request in
            ProductRecommendationsQuery(
                productId: ProductID(rawValue: try request.pathParameter("id")),
                customerId: request.principal == nil ? nil : try RouteInputs.customer(request),
                limit: try limit(request)
            )
        }
        gateway.route(.get, "/api/v1/me/recommendations", to: RecommendationsEndpoints.forCustomer, access: .authenticated("customer")) {
            request in
            CustomerRecommendationsQuery(customerId: try RouteInputs.customer(request), limit: try limit(request))
        }
        // Accepted and learned from in the background: nothing to send back.
        gateway.route(.post, "/api/v1/events/product-viewed", access: .optionallyAuthenticated) { request in
            let body = try request.decodeBody(ViewBody.self)
            let customer = request.principal == nil ? nil : try RouteInputs.customer(request)
            try await recommendations.recordView(ProductView(productId: body.productId, customerId: customer))
            var response = try RouteResponse(status: .accepted, json: NoInput())
            response.body = []
            return response
        }
        gateway.route(.post, "/api/v1/admin/recommendations/rebuild", to: RecommendationsEndpoints.rebuild, access: .authenticated("admin")) {
            _ in NoInput()
        }
        gateway.mapFailures(RecommendationsError.self) { error in
            switch error {
            case .productNotFound: .notFound
            case .invalidQuery: .badRequest
            }
        }
    }

    /// The query parameter `limit`, 10 when absent; its range (1 to 50) is the service's to check.
    /// - Throws: ``GatewayError`` (400) when present but not an integer.
    static func limit(_ request: GatewayRequest) throws -> Int {
        guard let value = try RouteInputs.integer(request, "limit") else { return RecommendationsLimits.defaultLimit }
        return Int(clamping: value)
    }

    /// `POST /api/v1/events/product-viewed`.
    struct ViewBody: Codable, Sendable {
        var productId: ProductID
    }
}
