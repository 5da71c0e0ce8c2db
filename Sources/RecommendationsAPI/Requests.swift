public import Commerce

/// Products to suggest on a product's page: "customers who bought this also bought".
public struct ProductRecommendationsQuery: Codable, Sendable, Hashable {
    /// The product whose page it is.
    public var productId: ProductID
    /// The signed-in customer looking at it, whose recent purchases are left out; `nil` for a guest.
    public var customerId: CustomerID?
    /// How many, 1 to ``RecommendationsLimits/maximumLimit``.
    public var limit: Int

    /// Creates the query.
    public init(productId: ProductID, customerId: CustomerID? = nil, limit: Int = RecommendationsLimits.defaultLimit) {
        self.productId = productId
        self.customerId = customerId
        self.limit = limit
    }
}

/// Products to suggest to a signed-in customer from their own history ("for you").
public struct CustomerRecommendationsQuery: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// How many, 1 to ``RecommendationsLimits/maximumLimit``.
    public var limit: Int

    /// Creates the query.
    public init(customerId: CustomerID, limit: Int = RecommendationsLimits.defaultLimit) {
        self.customerId = customerId
        self.limit = limit
    }
}

/// Someone looked at a product's page, as the store reports it.
public struct ProductView: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// The signed-in customer who looked, `nil` for a guest: a guest's view counts towards popularity only.
    public var customerId: CustomerID?

    /// Creates the report.
    public init(productId: ProductID, customerId: CustomerID? = nil) {
        self.productId = productId
        self.customerId = customerId
    }
}

/// What a rebuild of the aggregates from the interaction log did.
public struct RebuildReport: Codable, Sendable, Hashable {
    /// Interactions (purchases, cart additions, views) replayed from the log.
    public var interactions: Int
    /// Products with at least one interaction.
    public var products: Int
    /// Customers (and guest carts) with a history.
    public var customers: Int
    /// Pairs of products seen together, each counted once per direction.
    public var pairs: Int
    /// How long the rebuild took, in seconds.
    public var seconds: Double

    /// Creates the report.
    public init(interactions: Int, products: Int, customers: Int, pairs: Int, seconds: Double) {
        self.interactions = interactions
        self.products = products
        self.customers = customers
        self.pairs = pairs
        self.seconds = seconds
    }
}

/// The bounds of a query's `limit`.
public enum RecommendationsLimits {
    /// The number of products asked for when the caller does not say.
    public static let defaultLimit = 10
    /// The most products one query may ask for.
    public static let maximumLimit = 50
}
