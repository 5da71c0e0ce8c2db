import CartAPI
import CatalogAPI
import Commerce
import CustomersAPI
import Foundation
import IdentityAPI
import InventoryAPI
import Messaging
import ModuleKit
import OrdersAPI
import Recommendations
import RecommendationsAPI
import ServiceKit
import Storage
import TestSupport
import Testing

/// The recommendations module alone, through the wiring it runs with: its own database file in a temporary data
/// directory, a real bus carrying the events other modules publish, calls through the serialized transport, a mock
/// catalog that fails the test when called unexpectedly, and its wall clock at ``now``.
struct RecommendationsFixture {
    let harness: ModuleHarness
    let recommendations: RecommendationsClient

    /// The module's "now": Monday, 1 December 2025, 12:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_764_590_400)

    @discardableResult
    static func with<Result: Sendable>(
        catalog: MockCatalog = MockCatalog(),
        settings: [String: String] = [:],
        _ body: (RecommendationsFixture) async throws -> Result
    ) async throws -> Result {
        let module = Module.recommendations(clock: SystemClock(), now: { Self.now })
        return try await ModuleHarness.run(module, mocks: [catalog.service], settings: ModuleSettings(settings)) { harness in
            try await body(RecommendationsFixture(harness: harness, recommendations: RecommendationsClient(client: harness.client)))
        }
    }

    /// Hands the module events as their publishers would, returns once it has handled them, and waits until the learner
    /// has folded what they appended.
    func publish(_ envelopes: [Envelope]) async throws {
        try await harness.publish(envelopes)
        try await waitUntilLearned()
    }

    /// Hands the module events as their publishers would; see ``publish(_:)-([Envelope])``.
    func publish(_ envelopes: Envelope...) async throws {
        try await publish(envelopes)
    }

    /// Waits until every interaction in the log is folded into the aggregates.
    func waitUntilLearned() async throws {
        try await waitUntil("the learner has folded the log") {
            try await harness.database.read { connection in
                let through = try connection.scalar(Int64.self, "SELECT learned_through FROM learner") ?? 0
                return through >= (try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM interaction") ?? 0)
            }
        }
    }

    /// Stocked, on-sale products: each created in the catalog and with units available.
    func stock(_ products: Product...) async throws {
        try await publish(try products.map(created) + products.map { try stockLevel($0.id.rawValue, available: 10) })
    }

    /// The product page's recommendations, as product ids.
    func forProduct(_ id: ProductID, customer: CustomerID? = nil, limit: Int = 10) async throws -> RecommendationList {
        try await recommendations.productRecommendations(ProductRecommendationsQuery(productId: id, customerId: customer, limit: limit))
    }

    /// The customer's "for you".
    func forCustomer(_ id: CustomerID, limit: Int = 10) async throws -> RecommendationList {
        try await recommendations.customerRecommendations(CustomerRecommendationsQuery(customerId: id, limit: limit))
    }

    /// The files under the data directory holding `text`'s UTF-8 bytes.
    func files(containing text: String) throws -> [String] {
        try harness.directory.files(containing: text)
    }

    /// A number of one of the module's tables.
    func scalar(_ sql: String) async throws -> Double {
        try await harness.database.read { connection in try connection.scalar(Double.self, sql) ?? 0 }
    }
}

extension RecommendationList {
    /// The recommended products' ids, best first.
    var ids: [ProductID] { items.map(\.productId) }
}

// MARK: - Values

/// A product as the catalog describes it.
func product(_ id: ProductID, category: String = "lighting", price: Int64 = 1999, version: Int = 1, active: Bool = true) -> Product {
    Product(
        id: id,
        sku: id.rawValue.uppercased(),
        name: "Product \(id.rawValue)",
        description: "A product for the recommendations' tests.",
        price: Money(minorUnits: price, currency: "EUR"),
        images: [],
        attributes: [:],
        category: CategoryID(rawValue: category),
        active: active,
        version: version
    )
}

/// `days` days before the fixture's now.
func daysAgo(_ days: Double) -> Date {
    RecommendationsFixture.now.addingTimeInterval(-days * 86_400)
}

// MARK: - Events as their publishers write them (`created`, `updated`, `deactivated` and `stockLevel` are in TestSupport)

/// Orders' report that `customer` bought `products`, one unit each, at `time`.
func placed(_ customer: CustomerID, _ products: [ProductID], at time: Date = daysAgo(1), order: String? = nil) throws -> Envelope {
    let price = Money(minorUnits: 1000, currency: "EUR")
    let id = OrderID(rawValue: order ?? "o-\(UUID().uuidString.prefix(8).lowercased())")
    let placed = Order(
        id: id,
        number: "EMP-000001",
        customerId: customer,
        status: .confirmed,
        lines: products.map { OrderLine(productId: $0, name: "Product \($0.rawValue)", quantity: 1, unitPrice: price, lineTotal: price) },
        totals: try Pricing.totals(subtotal: Money(minorUnits: 1000 * Int64(products.count), currency: "EUR"), country: "DE", member: false),
        shippingAddress: Address(name: "Anna", line1: "Invalidenstraße 1", city: "Berlin", postalCode: "10115", country: "DE"),
        createdAt: time,
        updatedAt: time
    )
    return try Envelope(OrderPlaced(order: placed), source: "/emporium/orders", subject: id.rawValue, time: time)
}

/// Orders' report that the customer with the id `customer` bought `products`; see the other `placed`.
func placed(_ customer: String, _ products: [ProductID], at time: Date = daysAgo(1), order: String? = nil) throws -> Envelope {
    try placed(CustomerID(rawValue: customer), products, at: time, order: order)
}

/// Cart's report that units of `product` were added to `customer`'s cart (a guest's cart when `nil`).
func addedToCart(_ product: ProductID, by customer: CustomerID?, cart: String = "cart_1", at time: Date = daysAgo(1)) throws -> Envelope {
    try Envelope(
        CartItemAdded(productId: product, quantity: 1, customerId: customer, at: time),
        source: "/emporium/cart",
        subject: cart,
        time: time
    )
}

/// Identity's report that `customer` deleted their account.
func deleted(_ customer: CustomerID) throws -> Envelope {
    try Envelope(
        UserDeleted(userId: UserID(rawValue: customer.rawValue), deletedAt: RecommendationsFixture.now),
        source: "/emporium/identity",
        subject: customer.rawValue
    )
}
