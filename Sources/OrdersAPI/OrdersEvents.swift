public import Messaging

/// An order was confirmed: paid (authorised) and its stock held; the subject is the order id.
public struct OrderPlaced: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-placed.v1"
    /// The order as confirmed.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// An order was refused because stock was short; nothing was charged. The subject is the order id.
public struct OrderRejected: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-rejected.v1"
    /// The order as rejected, with its short lines.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// An order's card was declined; its stock was released. The subject is the order id.
public struct OrderPaymentFailed: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-payment-failed.v1"
    /// The order, with its decline code.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// An order was cancelled: its payment voided or refunded, its stock released. The subject is the order id.
public struct OrderCancelled: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-cancelled.v1"
    /// The order as cancelled.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// Every shipment of an order is on its way. The subject is the order id.
public struct OrderShipped: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-shipped.v1"
    /// The order as shipped, with carriers and tracking numbers.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// Every shipment of an order was delivered. The subject is the order id.
public struct OrderDelivered: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-delivered.v1"
    /// The order as delivered.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// Every unit of an order was returned and refunded. The subject is the order id.
public struct OrderReturned: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "orders.order-returned.v1"
    /// The order as returned.
    public var order: Order
    /// Creates the event.
    public init(order: Order) { self.order = order }
}

/// The events Orders publishes.
public enum OrdersEvents {
    /// Every event type Orders publishes through its outbox.
    public static let published = [
        OrderPlaced.eventType, OrderRejected.eventType, OrderPaymentFailed.eventType, OrderCancelled.eventType, OrderShipped.eventType,
        OrderDelivered.eventType, OrderReturned.eventType,
    ]
}
