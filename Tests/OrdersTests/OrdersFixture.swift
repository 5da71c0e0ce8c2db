import CartAPI
import Commerce
import CustomersAPI
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import Orders
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing
import WarehouseAPI

/// Cart's API answered by closures; each method the test does not set records a test issue when called. (Orders'
/// own: the shared `MockCart` did not exist yet when Orders was written.)
struct OrdersTestCart: CartService {
    var onCart: @Sendable (CartQuery) async throws -> Cart = unexpected("CartService.cart")
    var onAddItem: @Sendable (CartItemAddition) async throws -> Cart = unexpected("CartService.addItem")
    var onUpdateItem: @Sendable (CartItemUpdate) async throws -> Cart = unexpected("CartService.updateItem")
    var onMerge: @Sendable (CartMerge) async throws -> Cart = unexpected("CartService.merge")
    var onCheckOut: @Sendable (CartCheckout) async throws -> Cart = unexpected("CartService.checkOut")

    func cart(_ query: CartQuery) async throws -> Cart { try await onCart(query) }
    func addItem(_ addition: CartItemAddition) async throws -> Cart { try await onAddItem(addition) }
    func updateItem(_ update: CartItemUpdate) async throws -> Cart { try await onUpdateItem(update) }
    func merge(_ merge: CartMerge) async throws -> Cart { try await onMerge(merge) }
    func checkOut(_ checkout: CartCheckout) async throws -> Cart { try await onCheckOut(checkout) }

    var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerCart(self)
        return MockService(name: "cart", handlers: handlers)
    }
}

/// What a mock throws for a call that gets no answer: an error no API declares.
struct ServiceDown: Error {}

func euros(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: "EUR") }

let customer: CustomerID = "c-1"
let visa = CardDetails(number: "4242424242424242", expMonth: 12, expYear: 2040, cvc: "123")
let address = Address(name: "Anna Example", line1: "Damrak 1", city: "Amsterdam", postalCode: "1012 LG", country: "NL", phone: "+31201234567")

/// Two lamps at 19.99 and a chair at 45.00: 84.98 with free shipping.
func sampleCart(for owner: CustomerID = customer) -> Cart {
    let lines = [
        CartLine(productId: "p-lamp", name: "Lamp", quantity: 2, unitPrice: euros(1999), lineTotal: euros(3998)),
        CartLine(productId: "p-chair", name: "Chair", quantity: 1, unitPrice: euros(4500), lineTotal: euros(4500)),
    ]
    let totals = Totals(subtotal: euros(8498), shipping: euros(0), vatIncluded: euros(1475), vatRatePerMille: 210, total: euros(8498))
    return Cart(
        id: "cart-1",
        customerId: owner,
        lines: lines,
        totals: totals,
        country: "NL",
        member: false,
        version: 3,
        updatedAt: nil,
        expiresAt: nil
    )
}

func reservation(_ order: OrderID, _ status: Reservation.Status = .held) -> Reservation {
    Reservation(
        orderId: order,
        status: status,
        expiresAt: Date(timeIntervalSince1970: 2_000_000_000),
        allocations: [
            Allocation(productId: "p-lamp", warehouse: "berlin", quantity: 2), Allocation(productId: "p-chair", warehouse: "berlin", quantity: 1),
        ],
        committedWarehouses: []
    )
}

func intent(_ order: OrderID, _ status: PaymentIntentStatus, captured: Int64 = 0, refunded: Int64 = 0, decline: DeclineCode? = nil) -> PaymentIntent {
    PaymentIntent(
        id: PaymentIntentID(rawValue: "pi_\(order.rawValue)"),
        orderId: order,
        customerId: customer,
        amount: euros(8498),
        amountCapturable: euros(status == .requiresCapture ? 8498 : 0),
        amountCaptured: euros(captured),
        amountRefunded: euros(refunded),
        status: status,
        card: CardSummary(brand: .visa, last4: "4242", expMonth: 12, expYear: 2040, fingerprint: "f"),
        lastDecline: decline.map(Decline.init(code:)),
        createdAt: Date(timeIntervalSince1970: 1_800_000_000),
        updatedAt: Date(timeIntervalSince1970: 1_800_000_000)
    )
}

func shipment(_ order: OrderID, _ id: ShipmentID = "shp-1", _ status: ShipmentStatus = .created) throws -> Shipment {
    Shipment(
        id: id,
        orderId: order,
        warehouse: "berlin",
        lines: [ShipmentLine(productId: "p-lamp", quantity: try Quantity(2)), ShipmentLine(productId: "p-chair", quantity: try Quantity(1))],
        status: status,
        carrier: status == .shipped || status == .delivered ? "DHL" : nil,
        trackingNumber: status == .shipped || status == .delivered ? "JD0001" : nil,
        createdAt: Date(timeIntervalSince1970: 1_800_000_000),
        updatedAt: Date(timeIntervalSince1970: 1_800_000_000)
    )
}

/// The mocks of every service Orders calls, answering a checkout that goes well, each call recorded by name in
/// `calls`, in order.
struct Services {
    var cart = OrdersTestCart()
    var customers = MockCustomers()
    var inventory = MockInventory()
    var payments = MockPayments()
    var warehouse = MockWarehouse()
    let calls = CallRecorder<String>()
    let keys = CallRecorder<String>()

    /// Everything answers as in a good checkout.
    static func happy() -> Services {
        var services = Services()
        let calls = services.calls
        let keys = services.keys
        services.cart.onCart = { query in
            calls.record("cart.cart")
            return sampleCart(for: query.owner.customerId ?? customer)
        }
        services.cart.onCheckOut = { _ in
            calls.record("cart.check-out")
            return sampleCart()
        }
        services.inventory.onReserve = { request in
            calls.record("inventory.reserve")
            // The reservation holds the stock for as long as the payment may take (`orders.payment-hold`).
            #expect(request.holdSeconds == 900, "the reservation holds the stock for the payment (orders.payment-hold)")
            return reservation(request.orderId)
        }
        services.inventory.onRelease = { order in
            calls.record("inventory.release")
            return reservation(order, .released)
        }
        services.payments.onAuthorize = { request in
            calls.record("payments.authorize")
            keys.record(request.key.rawValue)
            return IdempotentReply(body: intent(request.body.orderId, .requiresCapture), replayed: false)
        }
        services.payments.onCapture = { request in
            calls.record("payments.capture")
            keys.record(request.key.rawValue)
            return IdempotentReply(body: intent(orderOf(request.key), .succeeded, captured: 8498), replayed: false)
        }
        services.payments.onCancel = { request in
            calls.record("payments.cancel")
            keys.record(request.key.rawValue)
            return IdempotentReply(body: intent(orderOf(request.key), .canceled), replayed: false)
        }
        services.payments.onRefund = { request in
            calls.record("payments.refund")
            keys.record(request.key.rawValue)
            let amount = request.body.amount?.minorUnits ?? 8498
            return IdempotentReply(body: intent(orderOf(request.key), .succeeded, captured: 8498, refunded: amount), replayed: false)
        }
        services.warehouse.onFulfil = { request in
            calls.record("warehouse.fulfil")
            return [try shipment(request.orderId)]
        }
        return services
    }

    var mocks: [MockService] { [cart.service, customers.service, inventory.service, payments.service, warehouse.service] }
}

/// `o-…` from a key `order:o-…:step`.
func orderOf(_ key: IdempotencyKey) -> OrderID {
    OrderID(rawValue: String(key.rawValue.split(separator: ":")[1]))
}

/// The orders module alone with mocks of what it calls, its recovery loop on a manual clock.
struct OrdersFixture {
    let harness: ModuleHarness
    let orders: OrdersClient
    let clock: ManualClock

    // A checkout waits long for its decision: the whole suite runs at once on two cores, and a saga of a few
    // milliseconds alone can take seconds there.
    static let fast = ["orders.retry-backoff": "0.005", "orders.step-attempts": "3", "orders.checkout-deadline": "60"]

    @discardableResult
    static func with<Result: Sendable>(
        _ services: Services,
        settings: [String: String] = [:],
        afterStep: SagaStepHook? = nil,
        _ body: (OrdersFixture) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        let module = Module.orders(clock: clock, afterStep: afterStep)
        return try await ModuleHarness.run(module, mocks: services.mocks, settings: ModuleSettings(fast.merging(settings) { $1 })) { harness in
            // The recovery loop's first pass is done and it waits on the clock, as does the key purger.
            try await clock.waitForSleepers(count: 2)
            return try await body(OrdersFixture(harness: harness, orders: OrdersClient(client: harness.client), clock: clock))
        }
    }

    /// A checkout of the cart to the given address.
    func checkout(key: String = "k-1", customerId: CustomerID = customer, card: CardDetails = visa) async throws -> IdempotentReply<Order> {
        try await orders.checkout(
            IdempotentRequest(
                key: try IdempotencyKey(key),
                caller: customerId.rawValue,
                body: CheckoutRequest(customerId: customerId, shippingAddress: address, card: card)
            )
        )
    }

    /// Waits until every saga has finished.
    func waitUntilSagasFinish() async throws {
        try await waitUntil("every checkout saga finished") { try await orders.openSagas().count == 0 }
    }

    /// Moves the clock on so the recovery loop runs once more, and claims older than `duration` run out.
    func advance(by duration: Duration) async throws {
        try await clock.waitForSleepers(count: 2)
        clock.advance(by: duration)
        try await clock.waitForSleepers(count: 2)
    }

    /// The events the module committed to its outbox, in commit order.
    func events() async throws -> [Envelope] {
        try await harness.database.read { connection in
            try connection.query("SELECT type, subject, data FROM outbox ORDER BY seq").map { row in
                Envelope(source: "/emporium/orders", type: try row["type"], subject: try row["subject"], data: try row["data"])
            }
        }
    }
}
