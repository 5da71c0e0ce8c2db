public import RecommendationsAPI
public import ServiceKit

/// Recommendations' API answered by closures; each method the test does not set records a test issue when called.
public struct MockRecommendations: RecommendationsService {
    public var onProductRecommendations: @Sendable (ProductRecommendationsQuery) async throws -> RecommendationList = unexpected(
        "RecommendationsService.productRecommendations"
    )
    public var onCustomerRecommendations: @Sendable (CustomerRecommendationsQuery) async throws -> RecommendationList = unexpected(
        "RecommendationsService.customerRecommendations"
    )
    public var onRecordView: @Sendable (ProductView) async throws -> Void = unexpected("RecommendationsService.recordView")
    public var onRebuild: @Sendable (NoInput) async throws -> RebuildReport = unexpected("RecommendationsService.rebuild")

    /// Recommendations expecting no calls.
    public init() {}

    public func productRecommendations(_ query: ProductRecommendationsQuery) async throws -> RecommendationList {
        try await onProductRecommendations(query)
    }
    public func customerRecommendations(_ query: CustomerRecommendationsQuery) async throws -> RecommendationList {
        try await onCustomerRecommendations(query)
    }
    public func recordView(_ view: ProductView) async throws { try await onRecordView(view) }
    public func rebuild() async throws -> RebuildReport { try await onRebuild(NoInput()) }

    /// The mock as the `recommendations` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerRecommendations(self)
        return MockService(name: "recommendations", handlers: handlers)
    }
}
