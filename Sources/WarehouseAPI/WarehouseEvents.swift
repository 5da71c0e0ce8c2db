public import Messaging

/// Fulfilment created a shipment (one per warehouse the order's stock is in); the subject is the order id.
public struct ShipmentCreated: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "warehouse.shipment-created.v1"
    /// The shipment as created.
    public var shipment: Shipment
    /// Creates the event.
    public init(shipment: Shipment) { self.shipment = shipment }
}

/// A shipment left with its carrier, and its stock was committed out of Inventory; the subject is the order id.
public struct ShipmentShipped: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "warehouse.shipment-shipped.v1"
    /// The shipment as shipped.
    public var shipment: Shipment
    /// The carrier.
    public var carrier: String
    /// The carrier's tracking number.
    public var trackingNumber: String
    /// Creates the event.
    public init(shipment: Shipment, carrier: String, trackingNumber: String) {
        self.shipment = shipment
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }
}

/// A shipment reached the customer; the subject is the order id.
public struct ShipmentDelivered: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "warehouse.shipment-delivered.v1"
    /// The shipment as delivered.
    public var shipment: Shipment
    /// Creates the event.
    public init(shipment: Shipment) { self.shipment = shipment }
}

/// A shipment was cancelled before it shipped; its stock stays reserved for the order until the order's own
/// compensation releases it. The subject is the order id.
public struct ShipmentCancelled: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "warehouse.shipment-cancelled.v1"
    /// The shipment as cancelled.
    public var shipment: Shipment
    /// Creates the event.
    public init(shipment: Shipment) { self.shipment = shipment }
}

/// The events Warehouse publishes.
public enum WarehouseEvents {
    /// Every event type Warehouse publishes through its outbox.
    public static let published = [ShipmentCreated.eventType, ShipmentShipped.eventType, ShipmentDelivered.eventType, ShipmentCancelled.eventType]
}
