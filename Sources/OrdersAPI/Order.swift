public import CartAPI
public import Commerce
public import CustomersAPI
public import Foundation
public import InventoryAPI
public import PaymentsAPI
public import WarehouseAPI

/// Where an order stands. The raw values are a public contract (the API, the web store, events).
///
/// `pending → confirmed → shipped → delivered → returned` when all goes well; `rejected` (stock short, nothing
/// charged), `payment-failed` (declined, stock released) and `cancelled` (voided or refunded, stock released) are
/// the other ends. Every order ends in one of `delivered`, `returned`, `rejected`, `payment-failed` or `cancelled`.
public enum OrderStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Created, its prices and address snapshotted; the checkout saga is deciding it.
    case pending
    /// Refused because stock was short; nothing was charged and the cart was kept.
    case rejected
    /// The card was declined; the stock held for it was released and the cart kept.
    case paymentFailed = "payment-failed"
    /// Paid (authorised, then captured) and handed to the warehouse; the cart lines it bought are gone.
    case confirmed
    /// Every shipment is on its way.
    case shipped
    /// Every shipment was delivered.
    case delivered
    /// Cancelled: its payment voided or refunded and its stock released.
    case cancelled
    /// Every unit was returned and refunded.
    case returned

    /// Whether the order is at an end the checkout saga no longer moves (it may still ship, be delivered or returned).
    public var isDecided: Bool { self != .pending }
}

/// One product of an order: the cart line as it was priced at checkout.
public struct OrderLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Its name at checkout.
    public var name: String
    /// How many were bought.
    public var quantity: Int
    /// The unit price at checkout, VAT included.
    public var unitPrice: Money
    /// `unitPrice × quantity`.
    public var lineTotal: Money
    /// How many units were returned (and refunded) so far.
    public var returnedQuantity: Int

    /// Creates the value.
    public init(productId: ProductID, name: String, quantity: Int, unitPrice: Money, lineTotal: Money, returnedQuantity: Int = 0) {
        self.productId = productId
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
        self.returnedQuantity = returnedQuantity
    }
}

/// The payment of an order, as Payments last reported it; never the card number.
public struct OrderPayment: Codable, Sendable, Hashable {
    /// The payment intent.
    public var intentId: PaymentIntentID
    /// The card's brand.
    public var brand: CardBrand?
    /// The card's last four digits.
    public var last4: String?
    /// The amount authorised: the order's total.
    public var amount: Money
    /// What was captured.
    public var captured: Money
    /// What was refunded.
    public var refunded: Money
    /// The intent's status.
    public var status: PaymentIntentStatus
    /// Why the card was declined, when it was.
    public var declineCode: DeclineCode?

    /// Creates the value.
    public init(
        intentId: PaymentIntentID,
        brand: CardBrand?,
        last4: String?,
        amount: Money,
        captured: Money,
        refunded: Money,
        status: PaymentIntentStatus,
        declineCode: DeclineCode? = nil
    ) {
        self.intentId = intentId
        self.brand = brand
        self.last4 = last4
        self.amount = amount
        self.captured = captured
        self.refunded = refunded
        self.status = status
        self.declineCode = declineCode
    }

    /// The payment as `intent` says.
    public init(_ intent: PaymentIntent) {
        self.init(
            intentId: intent.id,
            brand: intent.card?.brand,
            last4: intent.card?.last4,
            amount: intent.amount,
            captured: intent.amountCaptured,
            refunded: intent.amountRefunded,
            status: intent.status,
            declineCode: intent.lastDecline?.code
        )
    }
}

/// One of the order's shipments, as Warehouse last reported it.
public struct OrderShipment: Codable, Sendable, Hashable {
    /// The shipment.
    public var id: ShipmentID
    /// The warehouse it leaves from.
    public var warehouse: WarehouseID
    /// Where it is.
    public var status: ShipmentStatus
    /// The carrier, once handed over.
    public var carrier: String?
    /// The carrier's tracking number, once handed over.
    public var trackingNumber: String?

    /// Creates the value.
    public init(id: ShipmentID, warehouse: WarehouseID, status: ShipmentStatus, carrier: String? = nil, trackingNumber: String? = nil) {
        self.id = id
        self.warehouse = warehouse
        self.status = status
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }

    /// The shipment as `shipment` says.
    public init(_ shipment: Shipment) {
        self.init(
            id: shipment.id,
            warehouse: shipment.warehouse,
            status: shipment.status,
            carrier: shipment.carrier,
            trackingNumber: shipment.trackingNumber
        )
    }
}

/// One thing that happened to an order, for the customer's and the operator's eyes.
public struct TimelineEntry: Codable, Sendable, Hashable {
    /// When.
    public var at: Date
    /// What: `order-created`, `stock-reserved`, `stock-short`, `payment-authorized`, `payment-declined`, `confirmed`,
    /// `cart-cleared`, `payment-captured`, `fulfilment-requested`, `shipped`, `delivered`, `cancel-requested`,
    /// `payment-voided`, `payment-refunded`, `stock-released`, `returned`, `retry`, `payment-unavailable` (Payments was
    /// not taking calls, so the card was not tried), `stock-unavailable` (Inventory was not taking calls, so no stock
    /// was held).
    public var step: String
    /// `ok`, `failed` or `retrying`.
    public var outcome: String
    /// A sentence saying more, when there is more to say.
    public var detail: String?
    /// The trace the step ran in, when it ran in one (W3C trace id, 32 hex digits).
    public var traceId: String?

    /// The step of a checkout whose card was not tried because Payments was not taking calls (its circuit open):
    /// the order is `payment-failed` and the checkout answers `503`.
    public static let paymentUnavailable = "payment-unavailable"

    /// The step of a checkout whose stock was not reserved because Inventory was not taking calls (its circuit open,
    /// or its storage unable to write): the order is `rejected` and the checkout answers `503`.
    public static let stockUnavailable = "stock-unavailable"

    /// Creates the value.
    public init(at: Date, step: String, outcome: String, detail: String? = nil, traceId: String? = nil) {
        self.at = at
        self.step = step
        self.outcome = outcome
        self.detail = detail
        self.traceId = traceId
    }
}

/// Units of one product sent back.
public struct ReturnedLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// How many units.
    public var quantity: Int

    /// Creates the value.
    public init(productId: ProductID, quantity: Int) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// A return of some of an order's units, and its refund.
public struct OrderReturn: Codable, Sendable, Hashable {
    /// Where the return is.
    public enum Status: String, Codable, Sendable, Hashable {
        /// Accepted; the warehouse's receipt or the refund is not confirmed yet (retried until it is).
        case pending
        /// Received back into stock and refunded.
        case refunded
    }

    /// The return: `<order id>-r<n>`, the reference Warehouse receives it under.
    public var id: ReturnID
    /// Its number within the order, from 1.
    public var number: Int
    /// What came back.
    public var lines: [ReturnedLine]
    /// What is refunded: the units' share of the order's total, shipping included (see ``OrdersService/requestReturn(_:)``).
    public var refund: Money
    /// Where it is.
    public var status: Status
    /// When it was accepted.
    public var createdAt: Date

    /// Creates the value.
    public init(id: ReturnID, number: Int, lines: [ReturnedLine], refund: Money, status: Status, createdAt: Date) {
        self.id = id
        self.number = number
        self.lines = lines
        self.refund = refund
        self.status = status
        self.createdAt = createdAt
    }
}

/// An order: what a customer bought, at which prices, to which address, and what happened to it since.
public struct Order: Codable, Sendable, Hashable {
    /// Its identifier, derived from the customer and the checkout's idempotency key (`o-` and 20 hex digits).
    public var id: OrderID
    /// Its number for people: `EMP-000123`, sequential.
    public var number: String
    /// The customer.
    public var customerId: CustomerID
    /// Where it stands.
    public var status: OrderStatus
    /// What was bought, as priced at checkout.
    public var lines: [OrderLine]
    /// Its totals at checkout; the payment is for ``Totals/total``.
    public var totals: Totals
    /// Where it goes, as it was at checkout.
    public var shippingAddress: Address
    /// Its payment, once an authorisation was tried.
    public var payment: OrderPayment?
    /// Its shipments, once fulfilment created them.
    public var shipments: [OrderShipment]
    /// What happened, oldest first.
    public var timeline: [TimelineEntry]
    /// The lines stock was short for, when it was `rejected` for that.
    public var shortLines: [InventoryError.ShortLine]?
    /// Its returns, oldest first.
    public var returns: [OrderReturn]
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates the value.
    public init(
        id: OrderID,
        number: String,
        customerId: CustomerID,
        status: OrderStatus,
        lines: [OrderLine],
        totals: Totals,
        shippingAddress: Address,
        payment: OrderPayment? = nil,
        shipments: [OrderShipment] = [],
        timeline: [TimelineEntry] = [],
        shortLines: [InventoryError.ShortLine]? = nil,
        returns: [OrderReturn] = [],
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.number = number
        self.customerId = customerId
        self.status = status
        self.lines = lines
        self.totals = totals
        self.shippingAddress = shippingAddress
        self.payment = payment
        self.shipments = shipments
        self.timeline = timeline
        self.shortLines = shortLines
        self.returns = returns
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
