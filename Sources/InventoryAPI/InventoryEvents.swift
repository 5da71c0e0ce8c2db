public import Commerce
public import Messaging

/// A product's availability changed: the read model others (Search, Cart) keep from events.
public struct StockLevelChanged: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "inventory.stock-level-changed.v1"
    /// The product and what is available now, in all warehouses together.
    public var availability: Availability
    /// Creates the event.
    public init(availability: Availability) { self.availability = availability }
}

/// A product's available stock fell to or below its low-stock threshold.
public struct StockLow: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "inventory.stock-low.v1"
    /// The product.
    public var productId: ProductID
    /// The warehouse whose stock fell, where replenishment goes.
    public var warehouse: WarehouseID
    /// Units available in that warehouse.
    public var available: Int
    /// Units available in all warehouses together.
    public var totalAvailable: Int
    /// The product's threshold.
    public var threshold: Int
    /// Creates the event.
    public init(productId: ProductID, warehouse: WarehouseID, available: Int, totalAvailable: Int, threshold: Int) {
        self.productId = productId
        self.warehouse = warehouse
        self.available = available
        self.totalAvailable = totalAvailable
        self.threshold = threshold
    }
}

/// A held reservation ran out of time and its stock went back.
public struct ReservationExpired: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "inventory.reservation-expired.v1"
    /// The order.
    public var orderId: OrderID
    /// Creates the event.
    public init(orderId: OrderID) { self.orderId = orderId }
}

/// The events Inventory publishes.
public enum InventoryEvents {
    /// Every event type Inventory publishes through its outbox.
    public static let published = [StockLevelChanged.eventType, StockLow.eventType, ReservationExpired.eventType]
}
