public import ServiceKit

/// Recommendations: "customers who bought this also bought" on a product's page, and "for you" from a customer's own
/// history, learned from orders, cart additions and product views in Recommendations' own database.
///
/// Similarity is the cosine between two products' columns of decayed interest (purchases count most, cart additions
/// less, views least; older interactions count less, halving every `recommendations.half-life` days). A product
/// nobody bought with anything else gets the most popular of its category; a customer without history, the most
/// popular of the shop. Nothing off sale or with nothing available in any warehouse is ever suggested, and a
/// customer's own recent purchases are left out.
public protocol RecommendationsService: Sendable {
    /// Products to suggest on a product's page, best first.
    /// - Throws: ``RecommendationsError/productNotFound(_:)`` for a product the catalog does not know,
    ///   ``RecommendationsError/invalidQuery(_:field:)`` for a limit outside 1 to 50.
    func productRecommendations(_ query: ProductRecommendationsQuery) async throws -> RecommendationList
    /// Products to suggest to a customer from their own history, best first; the most popular products when they have
    /// none.
    /// - Throws: ``RecommendationsError/invalidQuery(_:field:)`` for a limit outside 1 to 50.
    func customerRecommendations(_ query: CustomerRecommendationsQuery) async throws -> RecommendationList
    /// Records that someone looked at a product: one small insert, learned from in the background.
    /// - Throws: ``RecommendationsError/productNotFound(_:)`` for a product the catalog does not know.
    func recordView(_ view: ProductView) async throws
    /// Rebuilds every aggregate (interests, pairs, popularity) from the interaction log in one transaction, and says
    /// what it rebuilt. Answers are the same afterwards as before: the aggregates are a function of the log.
    func rebuild() async throws -> RebuildReport
}

/// Recommendations' endpoints.
public enum RecommendationsEndpoints {
    /// ``RecommendationsService/productRecommendations(_:)``.
    public static let forProduct = Endpoint<ProductRecommendationsQuery, RecommendationList>(
        "recommendations.for-product",
        idempotent: true,
        timeout: .seconds(5),
        failure: RecommendationsError.self
    )
    /// ``RecommendationsService/customerRecommendations(_:)``.
    public static let forCustomer = Endpoint<CustomerRecommendationsQuery, RecommendationList>(
        "recommendations.for-customer",
        idempotent: true,
        failure: RecommendationsError.self
    )
    /// ``RecommendationsService/recordView(_:)``: not idempotent (each call is one more view), so never retried.
    public static let recordView = Endpoint<ProductView, NoInput>(
        "recommendations.record-view",
        timeout: .seconds(5),
        failure: RecommendationsError.self
    )
    /// ``RecommendationsService/rebuild()``: idempotent in effect (the log decides), and as long as the log is large.
    public static let rebuild = Endpoint<NoInput, RebuildReport>(
        "recommendations.rebuild",
        timeout: .seconds(600),
        failure: RecommendationsError.self
    )
}

/// Recommendations as the gateway and other modules reach it: every method is a call through the pipeline.
public struct RecommendationsClient: RecommendationsService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func productRecommendations(_ query: ProductRecommendationsQuery) async throws -> RecommendationList {
        try await client.call(RecommendationsEndpoints.forProduct, query)
    }
    public func customerRecommendations(_ query: CustomerRecommendationsQuery) async throws -> RecommendationList {
        try await client.call(RecommendationsEndpoints.forCustomer, query)
    }
    public func recordView(_ view: ProductView) async throws {
        _ = try await client.call(RecommendationsEndpoints.recordView, view)
    }
    public func rebuild() async throws -> RebuildReport { try await client.call(RecommendationsEndpoints.rebuild, NoInput()) }
}

extension EndpointHandlers {
    /// Registers every recommendations endpoint to be answered by `service`.
    public mutating func registerRecommendations(_ service: some RecommendationsService) {
        register(RecommendationsEndpoints.forProduct) { try await service.productRecommendations($0) }
        register(RecommendationsEndpoints.forCustomer) { try await service.customerRecommendations($0) }
        register(RecommendationsEndpoints.recordView) { view in
            try await service.recordView(view)
            return NoInput()
        }
        register(RecommendationsEndpoints.rebuild) { _ in try await service.rebuild() }
    }
}
