public import Commerce

/// Why a product is recommended.
public enum RecommendationReason: String, Codable, Sendable, Hashable, CaseIterable {
    /// Customers who bought (or showed interest in) the product asked about, or the customer's own recent products,
    /// bought this one too: item-to-item similarity.
    case boughtTogether = "bought-together"
    /// Similar to what the customer bought, added to a cart or looked at lately.
    case forYou = "for-you"
    /// Among the most popular products of the same category: the cold start for a product nobody bought with others.
    case popularInCategory = "popular-in-category"
    /// Among the most popular products of the shop: the cold start for a customer without a history.
    case popular
}

/// How a list of recommendations was made: the strategy of its first items. When it found fewer than asked for, the
/// list goes on with the next fallback (popular in the category, then popular), and each item's
/// ``Recommendation/reason`` says which.
public enum RecommendationStrategy: String, Codable, Sendable, Hashable, CaseIterable {
    /// Products bought together with the product asked about (cosine similarity over decayed co-occurrence).
    case boughtTogether = "bought-together"
    /// Neighbours of the customer's recent products.
    case forYou = "for-you"
    /// The product has no co-purchases yet: the most popular of its category.
    case popularInCategory = "popular-in-category"
    /// No history to go on: the most popular products.
    case popular
}

/// One recommended product, with what the shop shows of it.
public struct Recommendation: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Its name, as the catalog last said.
    public var name: String
    /// Its price, as the catalog last said.
    public var price: Money
    /// How strongly it is recommended, from 0 to 1: the cosine similarity for ``RecommendationReason/boughtTogether``,
    /// the weighted mean similarity to the customer's recent products for ``RecommendationReason/forYou``, the decayed
    /// popularity relative to the most popular product for the popularity reasons. Scores of different reasons are not
    /// comparable.
    public var score: Double
    /// Why it is recommended.
    public var reason: RecommendationReason

    /// Creates the value.
    public init(productId: ProductID, name: String, price: Money, score: Double, reason: RecommendationReason) {
        self.productId = productId
        self.name = name
        self.price = price
        self.score = score
        self.reason = reason
    }
}

/// Recommended products, best first. Never a product off sale or with nothing available in any warehouse.
public struct RecommendationList: Codable, Sendable, Hashable {
    /// The products, best first; fewer than asked for when the shop has fewer to suggest.
    public var items: [Recommendation]
    /// How the list was made.
    public var strategy: RecommendationStrategy

    /// Creates the value.
    public init(items: [Recommendation], strategy: RecommendationStrategy) {
        self.items = items
        self.strategy = strategy
    }
}
