import Cart
import CartAPI
import CatalogAPI
import Commerce
import Foundation
import IdentityAPI
import InventoryAPI
import Messaging
import ModuleKit
import PaymentsAPI
import ServiceKit
import Storage
import TestSupport
import Testing

/// The cart module alone, through the wiring it runs with: its own database file in a temporary data directory, a real
/// bus carrying other modules' events, calls through the serialized transport, a mock catalog that fails the test when
/// called unexpectedly, and its sweeper on a manual clock that also moves its wall clock.
struct CartFixture {
    let harness: ModuleHarness
    let cart: CartClient
    let clock: ManualClock

    @discardableResult
    static func with<Result: Sendable>(
        catalog: MockCatalog = MockCatalog(),
        settings: [String: String] = [:],
        _ body: (CartFixture) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        return try await ModuleHarness.run(.cart(clock: clock), mocks: [catalog.service], settings: ModuleSettings(settings)) { harness in
            try await body(CartFixture(harness: harness, cart: CartClient(client: harness.client), clock: clock))
        }
    }

    /// Hands the module events as their publishers would, and returns once it has handled them.
    func publish(_ envelopes: Envelope...) async throws {
        try await harness.publish(envelopes)
    }

    /// Hands the module events as their publishers would, and returns once it has handled them.
    func publish(_ envelopes: [Envelope]) async throws {
        try await harness.publish(envelopes)
    }

    /// The owner's cart, priced for `country`.
    func read(_ owner: CartOwner, country: String? = nil) async throws -> Cart {
        try await cart.cart(CartQuery(owner: owner, country: country))
    }

    /// Adds units of a product.
    @discardableResult
    func add(_ quantity: Int, of product: String, to owner: CartOwner, expecting version: Int? = nil) async throws -> Cart {
        try await cart.addItem(CartItemAddition(owner: owner, productId: ProductID(rawValue: product), quantity: quantity, expectedVersion: version))
    }

    /// Sets a line's quantity.
    @discardableResult
    func set(_ quantity: Int, of product: String, in owner: CartOwner, expecting version: Int? = nil) async throws -> Cart {
        try await cart.updateItem(CartItemUpdate(owner: owner, productId: ProductID(rawValue: product), quantity: quantity, expectedVersion: version))
    }

    /// The cart's tables, for counting their rows.
    enum Table {
        case cart, cartLine, product, availability, membership, appliedOrder

        var countQuery: String {
            switch self {
            case .cart: "SELECT count(*) FROM cart"
            case .cartLine: "SELECT count(*) FROM cart_line"
            case .product: "SELECT count(*) FROM product"
            case .availability: "SELECT count(*) FROM availability"
            case .membership: "SELECT count(*) FROM membership"
            case .appliedOrder: "SELECT count(*) FROM applied_order"
            }
        }
    }

    /// How many rows `table` holds.
    func count(_ table: Table) async throws -> Int {
        let sql = table.countQuery
        return try await harness.database.read { connection in try connection.scalar(Int.self, sql) ?? -1 }
    }

    /// The events the module committed to its outbox, in commit order.
    func events() async throws -> [Envelope] {
        try await harness.database.read { connection in
            try connection.query("SELECT type, subject, data FROM outbox ORDER BY seq").map { row in
                Envelope(source: "/emporium/cart", type: try row["type"], subject: try row["subject"], data: try row["data"])
            }
        }
    }

    /// The events the module's group dead-lettered.
    func deadLetters() async throws -> Int {
        try await harness.module.context.deadLetters.list(limit: 100).count
    }

    /// The files under the data directory holding `text`'s UTF-8 bytes.
    func files(containing text: String) throws -> [String] {
        try harness.directory.files(containing: text)
    }
}

// MARK: - Values

/// Euros in cents.
func eur(_ minorUnits: Int64) -> Money {
    Money(minorUnits: minorUnits, currency: "EUR")
}

/// A product as the catalog describes it.
func product(_ id: String, _ name: String = "Oak Table Lamp", price: Int64 = 1999, version: Int = 1, active: Bool = true) -> Product {
    Product(
        id: ProductID(rawValue: id),
        sku: id.uppercased(),
        name: name,
        description: "A product for the cart's tests.",
        price: eur(price),
        images: [],
        attributes: [:],
        category: CategoryID(rawValue: "lighting"),
        active: active,
        version: version
    )
}

/// Alice, a signed-in customer.
let alice = CartOwner.customer("c-alice")

// MARK: - Events as their publishers write them (`created`, `updated`, `deactivated` and `stockLevel` are in TestSupport)

/// `customer`'s Emporium Plus subscription in `status`.
func subscription(_ customer: CustomerID, _ status: SubscriptionStatus) -> PaymentsAPI.Subscription {
    let now = Date()
    return PaymentsAPI.Subscription(
        id: "sub_1",
        customerId: customer,
        plan: .plus,
        status: status,
        card: CardSummary(brand: .visa, last4: "4242", expMonth: 12, expYear: 2030, fingerprint: "f1"),
        currentPeriodStart: now,
        currentPeriodEnd: now.addingTimeInterval(30 * 86_400),
        createdAt: now,
        endedAt: status.isMember ? nil : now
    )
}

/// Payments' report of `event` about a customer's subscription.
func membership<E: DomainEvent>(_ event: E, _ customer: CustomerID) throws -> Envelope {
    try Envelope(event, source: "/emporium/payments", subject: customer.rawValue)
}

/// Identity's report that `customer` deleted their account.
func deleted(_ customer: CustomerID) throws -> Envelope {
    try Envelope(
        UserDeleted(userId: UserID(rawValue: customer.rawValue), deletedAt: Date()),
        source: "/emporium/identity",
        subject: customer.rawValue
    )
}
