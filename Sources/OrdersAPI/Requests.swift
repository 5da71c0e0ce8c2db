public import Commerce
public import CustomersAPI
public import Foundation
public import PaymentsAPI

/// Buy what is in the customer's cart: to a saved address (`addressId`) or a given one (`shippingAddress`), exactly
/// one of the two, paid with `card`.
public struct CheckoutRequest: Codable, Sendable, Hashable {
    /// The customer, whose cart is bought.
    public var customerId: CustomerID
    /// One of the customer's saved addresses.
    public var addressId: AddressID?
    /// An address given at checkout; checked with `Address.validated()`.
    public var shippingAddress: Address?
    /// The card to pay with; never stored.
    public var card: CardDetails

    /// Creates the request.
    public init(customerId: CustomerID, addressId: AddressID? = nil, shippingAddress: Address? = nil, card: CardDetails) {
        self.customerId = customerId
        self.addressId = addressId
        self.shippingAddress = shippingAddress
        self.card = card
    }
}

/// One order, seen by its customer (`customerId` set: another customer's order is not found) or by an operator
/// (`customerId` `nil`).
public struct OrderReference: Codable, Sendable, Hashable {
    /// The customer asking, or `nil` for an operator.
    public var customerId: CustomerID?
    /// The order.
    public var orderId: OrderID

    /// Creates the reference.
    public init(customerId: CustomerID?, orderId: OrderID) {
        self.customerId = customerId
        self.orderId = orderId
    }
}

/// Which orders to list, newest first, a page at a time.
public struct OrderQuery: Codable, Sendable, Hashable {
    /// Only this customer's orders (every customer's when `nil`, for operators).
    public var customerId: CustomerID?
    /// Only orders in this status.
    public var status: OrderStatus?
    /// The ``OrderPage/nextCursor`` of the previous page; the newest when `nil`.
    public var cursor: String?
    /// At most this many: 1 to 100.
    public var limit: Int

    /// Creates the query.
    public init(customerId: CustomerID? = nil, status: OrderStatus? = nil, cursor: String? = nil, limit: Int = 20) {
        self.customerId = customerId
        self.status = status
        self.cursor = cursor
        self.limit = limit
    }
}

/// A page of orders, newest first.
public struct OrderPage: Codable, Sendable, Hashable {
    /// The orders.
    public var items: [Order]
    /// Where the next page starts; `nil` on the last page.
    public var nextCursor: String?

    /// Creates the value.
    public init(items: [Order], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// Send back units of a delivered order.
public struct ReturnRequest: Codable, Sendable, Hashable {
    /// The customer, who must own the order.
    public var customerId: CustomerID
    /// The order.
    public var orderId: OrderID
    /// What goes back: each product once, at most the units bought and not yet returned.
    public var lines: [ReturnedLine]

    /// Creates the request.
    public init(customerId: CustomerID, orderId: OrderID, lines: [ReturnedLine]) {
        self.customerId = customerId
        self.orderId = orderId
        self.lines = lines
    }
}

/// Where a checkout saga is: the call it makes next, forward or undoing. The raw values are a public contract (the
/// operations API and the dashboard).
public enum SagaPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Holding every line's stock.
    case reserving
    /// Keeping the stock hold for the length of the payment.
    case extending
    /// Authorising the card.
    case authorizing
    /// Taking the bought lines out of the cart (the order is confirmed).
    case clearingCart = "clearing-cart"
    /// Capturing the payment.
    case capturing
    /// Asking the warehouse to ship.
    case fulfilling
    /// Compensating: voiding the authorisation.
    case voiding
    /// Compensating: refunding the capture.
    case refunding
    /// Compensating: releasing the stock.
    case releasing
    /// At its end.
    case finished

    /// Whether the saga is undoing its steps in this phase.
    public var isCompensating: Bool { self == .voiding || self == .refunding || self == .releasing }
}

/// One checkout saga that has not reached its end, as an operator sees it.
public struct OpenSaga: Codable, Sendable, Hashable {
    /// The order.
    public var orderId: OrderID
    /// The order's number for people, `EMP-000123`.
    public var number: String
    /// The customer.
    public var customerId: CustomerID
    /// The order's status (`pending` until the card is authorised, `confirmed` after).
    public var status: OrderStatus
    /// Where the saga is: the call it makes next.
    public var phase: SagaPhase
    /// Whether it is undoing its steps (voiding, refunding, releasing).
    public var compensating: Bool
    /// The status the compensation ends the order in (`cancelled`, `payment-failed`), while compensating.
    public var compensatingTo: OrderStatus?
    /// Calls of the current phase that got no answer so far (a saga waiting for the recovery loop has some).
    public var attempts: Int
    /// The last step of the order's timeline (`stock-reserved`, `retry`, ...), with its outcome and sentence.
    public var lastStep: TimelineEntry?
    /// When the order was created: how long the saga has been running.
    public var since: Date
    /// When the saga last persisted a step.
    public var updatedAt: Date

    /// Creates the value.
    public init(
        orderId: OrderID,
        number: String,
        customerId: CustomerID,
        status: OrderStatus,
        phase: SagaPhase,
        compensatingTo: OrderStatus? = nil,
        attempts: Int = 0,
        lastStep: TimelineEntry? = nil,
        since: Date,
        updatedAt: Date
    ) {
        self.orderId = orderId
        self.number = number
        self.customerId = customerId
        self.status = status
        self.phase = phase
        self.compensating = phase.isCompensating
        self.compensatingTo = phase.isCompensating ? compensatingTo : nil
        self.attempts = attempts
        self.lastStep = lastStep
        self.since = since
        self.updatedAt = updatedAt
    }
}

/// The checkout sagas that have not reached their end: for the audit, for waiting until the system settles, and for
/// the operators' view of sagas in flight.
public struct OpenSagas: Codable, Sendable, Hashable {
    /// The sagas still running or waiting for a retry, oldest order first.
    public var sagas: [OpenSaga]

    /// Their orders, oldest first.
    public var orderIds: [OrderID] { sagas.map(\.orderId) }

    /// How many.
    public var count: Int { sagas.count }

    /// Creates the value.
    public init(sagas: [OpenSaga]) {
        self.sagas = sagas
    }
}

/// How many orders there are in each status, for operators.
public struct OrdersSummary: Codable, Sendable, Hashable {
    /// The orders in one status.
    public struct StatusCount: Codable, Sendable, Hashable {
        /// The status.
        public var status: OrderStatus
        /// How many orders are in it.
        public var count: Int

        /// Creates the value.
        public init(status: OrderStatus, count: Int) {
            self.status = status
            self.count = count
        }
    }

    /// Every status, in the order of ``OrderStatus/allCases``, zeros included.
    public var byStatus: [StatusCount]
    /// Every order.
    public var total: Int

    /// The summary of `counts`, every status listed.
    public init(counts: [OrderStatus: Int]) {
        byStatus = OrderStatus.allCases.map { StatusCount(status: $0, count: counts[$0] ?? 0) }
        total = counts.values.reduce(0, +)
    }

    /// How many orders are in `status`.
    public func count(_ status: OrderStatus) -> Int { byStatus.first { $0.status == status }?.count ?? 0 }
}
