public import Commerce
public import InventoryAPI

/// One product a customer sent back.
public struct ReturnLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// How many units came back.
    public var quantity: Quantity

    /// Creates a line.
    public init(productId: ProductID, quantity: Quantity) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// Items a customer sent back, arrived at a warehouse: they go back on the shelf.
public struct ReturnReceipt: Codable, Sendable, Hashable {
    /// The return; receiving the same return again changes nothing.
    public var returnId: ReturnID
    /// The order they were bought with.
    public var orderId: OrderID
    /// What came back; each product once.
    public var lines: [ReturnLine]
    /// The warehouse that received them.
    public var warehouse: WarehouseID

    /// Creates the value.
    public init(returnId: ReturnID, orderId: OrderID, lines: [ReturnLine], warehouse: WarehouseID) {
        self.returnId = returnId
        self.orderId = orderId
        self.lines = lines
        self.warehouse = warehouse
    }
}

/// A return as Warehouse recorded it.
public struct ReceivedReturn: Codable, Sendable, Hashable {
    /// Where the return is.
    public enum Status: String, Codable, Sendable, Hashable {
        /// Recorded, while Inventory puts its units on hand; retried until it has.
        case receiving
        /// Its units are on hand again.
        case received
    }

    /// What arrived.
    public var receipt: ReturnReceipt
    /// Where it is.
    public var status: Status

    /// Creates the value.
    public init(receipt: ReturnReceipt, status: Status) {
        self.receipt = receipt
        self.status = status
    }
}
