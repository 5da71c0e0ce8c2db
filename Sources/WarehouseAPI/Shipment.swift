public import Commerce
public import Foundation
public import InventoryAPI

/// Where a shipment is on its way from the shelf to the customer.
///
/// The steps are `created → picking → packed → shipping → shipped → delivered`; `cancelled` is possible until the
/// shipment is handed to the carrier (`shipping`).
public enum ShipmentStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Created by fulfilment, waiting to be picked.
    case created
    /// Being picked from the shelves.
    case picking
    /// Packed, waiting for the carrier.
    case packed
    /// Handed to the carrier, its carrier and tracking number set, while Inventory confirms that its stock left.
    /// It becomes `shipped` as soon as Inventory has confirmed; the confirmation is retried until it arrives.
    case shipping
    /// On its way; its stock is committed out of Inventory.
    case shipped
    /// Delivered to the customer.
    case delivered
    /// Cancelled before it shipped.
    case cancelled

    /// Whether the shipment can still move: not delivered and not cancelled.
    public var isActive: Bool { self != .delivered && self != .cancelled }
}

/// One product in a shipment.
public struct ShipmentLine: Codable, Sendable, Hashable {
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

/// What one warehouse sends for one order.
public struct Shipment: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: ShipmentID
    /// The order it fulfils (with the other shipments of the order, one per warehouse).
    public var orderId: OrderID
    /// The warehouse it leaves from.
    public var warehouse: WarehouseID
    /// What it carries: the order's units allocated in that warehouse.
    public var lines: [ShipmentLine]
    /// Where it is.
    public var status: ShipmentStatus
    /// The carrier, from `shipping` on.
    public var carrier: String?
    /// The carrier's tracking number, from `shipping` on.
    public var trackingNumber: String?
    /// When fulfilment created it.
    public var createdAt: Date
    /// When its status last changed.
    public var updatedAt: Date

    /// Creates the value.
    public init(
        id: ShipmentID,
        orderId: OrderID,
        warehouse: WarehouseID,
        lines: [ShipmentLine],
        status: ShipmentStatus,
        carrier: String? = nil,
        trackingNumber: String? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.orderId = orderId
        self.warehouse = warehouse
        self.lines = lines
        self.status = status
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Ship a confirmed order: one shipment per warehouse its reservation allocated from.
public struct FulfilmentRequest: Codable, Sendable, Hashable {
    /// The order; fulfilling it again returns the shipments of the first time.
    public var orderId: OrderID

    /// Creates the request.
    public init(orderId: OrderID) {
        self.orderId = orderId
    }
}

/// Which shipments to list.
public struct ShipmentQuery: Codable, Sendable, Hashable {
    /// Only shipments in this status; every status when `nil`.
    public var status: ShipmentStatus?
    /// At most this many, newest first: 1 to 1,000.
    public var limit: Int

    /// Creates a query.
    public init(status: ShipmentStatus? = nil, limit: Int = 100) {
        self.status = status
        self.limit = limit
    }
}
