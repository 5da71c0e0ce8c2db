public import Commerce
public import Foundation

/// One line of an order to hold stock for.
public struct ReservationLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// How many units.
    public var quantity: Quantity

    /// Creates a line.
    public init(productId: ProductID, quantity: Quantity) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// Hold stock for every line of an order, all or nothing.
public struct ReservationRequest: Codable, Sendable, Hashable {
    /// The order; reserving again for the same order returns the first reservation.
    public var orderId: OrderID
    /// The lines; one product at most once.
    public var lines: [ReservationLine]
    /// How long the hold lasts; the module's default (`inventory.reservation-ttl`) when `nil`.
    public var holdSeconds: Int?

    /// Creates a request.
    public init(orderId: OrderID, lines: [ReservationLine], holdSeconds: Int? = nil) {
        self.orderId = orderId
        self.lines = lines
        self.holdSeconds = holdSeconds
    }
}

/// Where a reservation's units come from.
public struct Allocation: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// The warehouse holding them.
    public var warehouse: WarehouseID
    /// How many units.
    public var quantity: Int

    /// Creates an allocation.
    public init(productId: ProductID, warehouse: WarehouseID, quantity: Int) {
        self.productId = productId
        self.warehouse = warehouse
        self.quantity = quantity
    }
}

/// Stock held for an order.
public struct Reservation: Codable, Sendable, Hashable {
    /// What happened to it.
    public enum Status: String, Codable, Sendable, Hashable {
        /// Held until it expires, is committed or released.
        case held
        /// Every allocation left the warehouse with a shipment.
        case committed
        /// Given back before it was committed.
        case released
        /// Given back because nobody extended or committed it in time.
        case expired
    }

    /// The order.
    public var orderId: OrderID
    /// Its status.
    public var status: Status
    /// When a held reservation is released unless extended or committed.
    public var expiresAt: Date
    /// Where its units come from: one warehouse when one could hold the whole order, else split by priority.
    public var allocations: [Allocation]
    /// The warehouses whose allocations were committed (left with a shipment).
    public var committedWarehouses: [WarehouseID]

    /// Creates the value.
    public init(orderId: OrderID, status: Status, expiresAt: Date, allocations: [Allocation], committedWarehouses: [WarehouseID]) {
        self.orderId = orderId
        self.status = status
        self.expiresAt = expiresAt
        self.allocations = allocations
        self.committedWarehouses = committedWarehouses
    }
}

/// Keep a held reservation longer (the checkout saga does while payment is in flight).
public struct ReservationExtension: Codable, Sendable, Hashable {
    /// The order.
    public var orderId: OrderID
    /// The hold now lasts this many seconds from now (never shorter than it already was).
    public var holdSeconds: Int

    /// Creates the value.
    public init(orderId: OrderID, holdSeconds: Int) {
        self.orderId = orderId
        self.holdSeconds = holdSeconds
    }
}

/// The stock one warehouse holds for an order leaves with its shipment.
public struct StockCommitment: Codable, Sendable, Hashable {
    /// The order.
    public var orderId: OrderID
    /// The warehouse whose allocations ship; committing it again changes nothing.
    public var warehouse: WarehouseID

    /// Creates the value.
    public init(orderId: OrderID, warehouse: WarehouseID) {
        self.orderId = orderId
        self.warehouse = warehouse
    }
}

/// Which reservations to list: every one, in order id order, a page at a time (for audits).
public struct ReservationQuery: Codable, Sendable, Hashable {
    /// Only reservations of orders after this one; from the first when `nil`. The previous page's
    /// ``ReservationPage/nextAfter``.
    public var after: OrderID?
    /// At most this many: 1 to 1,000.
    public var limit: Int

    /// Creates the query.
    public init(after: OrderID? = nil, limit: Int = 500) {
        self.after = after
        self.limit = limit
    }
}

/// A page of reservations, in order id order.
public struct ReservationPage: Codable, Sendable, Hashable {
    /// The reservations.
    public var items: [Reservation]
    /// Where the next page starts; `nil` on the last page.
    public var nextAfter: OrderID?

    /// Creates the value.
    public init(items: [Reservation], nextAfter: OrderID?) {
        self.items = items
        self.nextAfter = nextAfter
    }
}
