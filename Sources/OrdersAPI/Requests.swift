public import Commerce
public import CustomersAPI
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

/// The checkout sagas that have not reached their end, for the audit and for waiting until the system settles.
public struct OpenSagas: Codable, Sendable, Hashable {
    /// The orders whose saga is still running or waiting for a retry, oldest first.
    public var orderIds: [OrderID]

    /// How many.
    public var count: Int { orderIds.count }

    /// Creates the value.
    public init(orderIds: [OrderID]) {
        self.orderIds = orderIds
    }
}
