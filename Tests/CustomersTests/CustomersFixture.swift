import Commerce
import Customers
import CustomersAPI
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
import WarehouseAPI

/// The customers module alone, through the wiring it runs with: its own database file in a temporary data
/// directory, a real bus, calls through the serialized transport, a mock of Identity that fails the test when
/// called unexpectedly, its spooler on a manual clock and its timestamps at ``now``.
struct CustomersFixture {
    let harness: ModuleHarness
    let customers: CustomersClient
    let clock: ManualClock

    /// Every timestamp the module writes: Friday, 14 March 2025, 09:26:53 UTC.
    static let now = Date(timeIntervalSince1970: 1_741_944_413)

    @discardableResult
    static func with<Result: Sendable>(
        identity: MockIdentity = MockIdentity(),
        settings: [String: String] = [:],
        _ body: (CustomersFixture) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        let module = Module.customers(clock: clock, now: { Self.now })
        return try await ModuleHarness.run(module, mocks: [identity.service], settings: ModuleSettings(settings)) { harness in
            try await body(CustomersFixture(harness: harness, customers: CustomersClient(client: harness.client), clock: clock))
        }
    }

    /// Hands the module events as their publishers would, and returns once it has handled them.
    func publish(_ envelopes: Envelope...) async throws {
        try await harness.publish(envelopes)
    }

    /// Registers `customer` through Identity's event.
    func register(_ customer: CustomerID, email: String) async throws {
        try await publish(registered(customer, email: email))
    }

    /// The customer's whole feed, newest first.
    func feed(_ customer: CustomerID) async throws -> [CustomersAPI.Notification] {
        try await customers.notifications(NotificationQuery(customerId: customer, limit: 100)).items
    }

    /// The topics of the customer's feed, oldest first.
    func topics(_ customer: CustomerID) async throws -> [String] {
        try await feed(customer).reversed().map(\.topic)
    }

    /// The spool's `mail/new/` directory.
    var mailDirectory: URL { harness.directory.url.appendingPathComponent("mail/new") }

    /// The names of the files in `mail/new/`.
    func mailFiles() throws -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? [])
    }

    /// The mail of a notification.
    func mail(of notification: NotificationID) -> URL {
        mailDirectory.appendingPathComponent(notification.rawValue + ".eml")
    }

    /// The events the module's group dead-lettered.
    func deadLetters() async throws -> Int {
        try await harness.module.context.deadLetters.list(limit: 100).count
    }
}

// MARK: - Events as their publishers write them

/// Identity's report that `customer` registered with `email`.
func registered(_ customer: CustomerID, email: String) throws -> Envelope {
    let user = User(id: UserID(rawValue: customer.rawValue), email: email, role: .customer, createdAt: CustomersFixture.now)
    return try Envelope(UserRegistered(user: user), source: "/emporium/identity", subject: customer.rawValue)
}

/// Identity's report that `customer` deleted their account.
func deleted(_ customer: CustomerID) throws -> Envelope {
    try Envelope(
        UserDeleted(userId: UserID(rawValue: customer.rawValue), deletedAt: CustomersFixture.now),
        source: "/emporium/identity",
        subject: customer.rawValue
    )
}

/// A Visa card ending 4242, as Payments keeps it.
let visa = CardSummary(brand: .visa, last4: "4242", expMonth: 12, expYear: 2030, fingerprint: "f1")

/// An intent of `order` by `customer` over `amount`.
func intent(_ order: OrderID?, customer: CustomerID?, amount: Money = Money(minorUnits: 1200, currency: "EUR")) -> PaymentIntent {
    PaymentIntent(
        id: PaymentIntentID(rawValue: "pi_\(order?.rawValue ?? "sub")"),
        orderId: order,
        customerId: customer,
        amount: amount,
        amountCapturable: amount,
        amountCaptured: Money.zero(amount.currency),
        amountRefunded: Money.zero(amount.currency),
        status: .requiresCapture,
        card: visa,
        createdAt: CustomersFixture.now,
        updatedAt: CustomersFixture.now
    )
}

/// Payments' report that `customer`'s card was authorised for `order`.
func authorized(_ order: OrderID, by customer: CustomerID) throws -> Envelope {
    try Envelope(PaymentAuthorized(intent: intent(order, customer: customer)), source: "/emporium/payments", subject: order.rawValue)
}

/// A refund of `amount` minor units in euros.
func refund(_ minorUnits: Int64, status: RefundStatus = .pending, reason: String? = nil) -> Refund {
    Refund(
        id: "re_1",
        amount: Money(minorUnits: minorUnits, currency: "EUR"),
        status: status,
        failureReason: reason,
        createdAt: CustomersFixture.now
    )
}

/// Payments' report that `order` was refunded `minorUnits` euro cents; the intent names no customer, as an
/// order's intent need not.
func refunded(_ order: OrderID, _ minorUnits: Int64) throws -> Envelope {
    try Envelope(
        PaymentRefunded(intent: intent(order, customer: nil), refund: refund(minorUnits)),
        source: "/emporium/payments",
        subject: order.rawValue
    )
}

/// Payments' report that a refund of `order` failed.
func refundFailed(_ order: OrderID, _ minorUnits: Int64) throws -> Envelope {
    try Envelope(
        RefundFailed(intent: intent(order, customer: nil), refund: refund(minorUnits, status: .failed, reason: "The card account is closed.")),
        source: "/emporium/payments",
        subject: order.rawValue
    )
}

/// A shipment of one unit of `p-1` for `order` from Berlin.
func shipment(_ order: OrderID, status: ShipmentStatus) throws -> Shipment {
    Shipment(
        id: ShipmentID(rawValue: "shp-\(order.rawValue)"),
        orderId: order,
        warehouse: WarehouseID(rawValue: "berlin"),
        lines: [ShipmentLine(productId: "p-1", quantity: try Quantity(1))],
        status: status,
        carrier: status == .shipped ? "Emporium Parcel" : nil,
        trackingNumber: status == .shipped ? "EP123456789012" : nil,
        createdAt: CustomersFixture.now,
        updatedAt: CustomersFixture.now
    )
}

/// Warehouse's report that `order`'s shipment left with `carrier`.
func shipped(_ order: OrderID, carrier: String = "Emporium Parcel") throws -> Envelope {
    try Envelope(
        ShipmentShipped(shipment: try shipment(order, status: .shipped), carrier: carrier, trackingNumber: "EP123456789012"),
        source: "/emporium/warehouse",
        subject: order.rawValue
    )
}

/// Warehouse's report that `order`'s shipment arrived.
func delivered(_ order: OrderID) throws -> Envelope {
    try Envelope(ShipmentDelivered(shipment: try shipment(order, status: .delivered)), source: "/emporium/warehouse", subject: order.rawValue)
}

/// `customer`'s Emporium Plus subscription in `status`; a declined renewal is retried on 21 March 2025.
func subscription(_ customer: CustomerID, _ status: SubscriptionStatus) -> PaymentsAPI.Subscription {
    let day: TimeInterval = 24 * 3600
    let declined = status == .pastDue || status == .lapsed
    return PaymentsAPI.Subscription(
        id: "sub_1",
        customerId: customer,
        plan: .plus,
        status: status,
        card: visa,
        currentPeriodStart: CustomersFixture.now,
        currentPeriodEnd: CustomersFixture.now.addingTimeInterval(30 * day),
        failedRenewals: declined ? 1 : 0,
        nextRetryAt: status == .pastDue ? CustomersFixture.now.addingTimeInterval(7 * day) : nil,
        lastDecline: declined ? Decline(code: .insufficientFunds) : nil,
        createdAt: CustomersFixture.now.addingTimeInterval(-60 * day),
        endedAt: status.isMember ? nil : CustomersFixture.now
    )
}

/// Payments' report of `event` about `customer`'s subscription.
func membership<E: DomainEvent>(_ event: E, _ customer: CustomerID) throws -> Envelope {
    try Envelope(event, source: "/emporium/payments", subject: customer.rawValue)
}
