public import Commerce
public import Foundation
public import InventoryAPI

/// Where a purchase order to the (simulated) supplier is.
public enum PurchaseOrderStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Raised, while Inventory is told to count its units as incoming; retried until it is.
    case pending
    /// At the supplier; Inventory counts its units as incoming.
    case ordered
    /// Arrived, while Inventory puts its units on hand; retried until it has.
    case receiving
    /// Received: its units are on hand.
    case received

    /// Whether the order is still open: a product and warehouse has at most one open purchase order.
    public var isOpen: Bool { self != .received }
}

/// Stock ordered from the supplier for one product and warehouse, raised when Inventory reports the stock low.
public struct PurchaseOrder: Codable, Sendable, Hashable {
    /// Its identifier, also the reference Inventory counts the stock under.
    public var id: PurchaseOrderID
    /// The product.
    public var productId: ProductID
    /// The warehouse it goes to.
    public var warehouse: WarehouseID
    /// How many units: enough to bring the warehouse's available stock up to the target level
    /// (`warehouse.target-stock`).
    public var quantity: Quantity
    /// Where it is.
    public var status: PurchaseOrderStatus
    /// When it was raised.
    public var raisedAt: Date
    /// When it was received.
    public var receivedAt: Date?

    /// Creates the value.
    public init(
        id: PurchaseOrderID,
        productId: ProductID,
        warehouse: WarehouseID,
        quantity: Quantity,
        status: PurchaseOrderStatus,
        raisedAt: Date,
        receivedAt: Date? = nil
    ) {
        self.id = id
        self.productId = productId
        self.warehouse = warehouse
        self.quantity = quantity
        self.status = status
        self.raisedAt = raisedAt
        self.receivedAt = receivedAt
    }
}
