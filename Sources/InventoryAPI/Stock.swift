public import Commerce
public import ServiceKit

/// Tags ``WarehouseID``.
public enum WarehouseTag {}
/// A warehouse's identifier, such as `berlin`.
public typealias WarehouseID = Identifier<WarehouseTag>

/// A place stock is kept and shipped from.
public struct Warehouse: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: WarehouseID
    /// Its name.
    public var name: String
    /// Its city.
    public var city: String
    /// Its country, ISO 3166-1 alpha-2 (`DE`).
    public var country: String
    /// Allocation order when an order must be split: lower first.
    public var priority: Int

    /// Creates a warehouse value.
    public init(id: WarehouseID, name: String, city: String, country: String, priority: Int) {
        self.id = id
        self.name = name
        self.city = city
        self.country = country
        self.priority = priority
    }
}

/// One product's stock in one warehouse.
public struct StockLevel: Codable, Sendable, Hashable {
    /// The warehouse.
    public var warehouse: WarehouseID
    /// Units on the shelf, reserved or not.
    public var onHand: Int
    /// Units held for orders.
    public var reserved: Int
    /// Units that can be reserved: on hand minus reserved.
    public var available: Int
    /// Units ordered from suppliers and not yet received.
    public var incoming: Int

    /// Creates a stock level.
    public init(warehouse: WarehouseID, onHand: Int, reserved: Int, available: Int, incoming: Int) {
        self.warehouse = warehouse
        self.onHand = onHand
        self.reserved = reserved
        self.available = available
        self.incoming = incoming
    }
}

/// One product's stock in every warehouse.
public struct ProductStock: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Per warehouse, in priority order.
    public var warehouses: [StockLevel]
    /// Below this many available units (all warehouses together) the product is low on stock.
    public var lowStockThreshold: Int

    /// Creates the value.
    public init(productId: ProductID, warehouses: [StockLevel], lowStockThreshold: Int) {
        self.productId = productId
        self.warehouses = warehouses
        self.lowStockThreshold = lowStockThreshold
    }
}

/// Whether a product can be bought now.
public enum StockStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// More than the low-stock threshold is available.
    case inStock = "in-stock"
    /// Some is available, no more than the threshold.
    case lowStock = "low-stock"
    /// None is available.
    case outOfStock = "out-of-stock"

    /// The status of `available` units against `threshold`.
    public init(available: Int, threshold: Int) {
        self = available <= 0 ? .outOfStock : available <= threshold ? .lowStock : .inStock
    }
}

/// What a shopper sees of a product's stock: `GET /api/v1/products/{id}/availability`.
public struct Availability: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Units available in all warehouses together.
    public var available: Int
    /// In stock, low or out.
    public var status: StockStatus

    /// Creates the value.
    public init(productId: ProductID, available: Int, status: StockStatus) {
        self.productId = productId
        self.available = available
        self.status = status
    }
}

/// Which products' stock to list, in product id order, a page at a time: `GET /api/v1/admin/inventory`.
public struct StockQuery: Codable, Sendable, Hashable {
    /// Only products at or below their low-stock threshold (out of stock included).
    public var lowOnly: Bool
    /// The previous page's ``StockPage/nextCursor``; from the first product when `nil`.
    public var cursor: String?
    /// At most this many: 1 to 100.
    public var limit: Int

    /// Creates the query.
    public init(lowOnly: Bool = false, cursor: String? = nil, limit: Int = 50) {
        self.lowOnly = lowOnly
        self.cursor = cursor
        self.limit = limit
    }
}

/// One product's stock in every warehouse and whether it is low: a row of the operators' stock list.
public struct StockSummary: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Per warehouse, in priority order.
    public var warehouses: [StockLevel]
    /// The product's low-stock threshold (its own, or the default).
    public var lowStockThreshold: Int
    /// Units available in all warehouses together.
    public var available: Int
    /// In stock, low or out, as shoppers see it.
    public var status: StockStatus
    /// Whether the product is at or below its threshold: `low-stock` or `out-of-stock`.
    public var low: Bool
    /// The warehouses whose own available units are at or below the threshold, in priority order; none when the
    /// threshold is 0 (the warning is off).
    public var lowWarehouses: [WarehouseID]

    /// The summary of `stock`: totals, status and low warehouses follow from its levels and threshold.
    public init(_ stock: ProductStock) {
        productId = stock.productId
        warehouses = stock.warehouses
        lowStockThreshold = stock.lowStockThreshold
        available = stock.warehouses.reduce(0) { $0 + $1.available }
        status = StockStatus(available: available, threshold: stock.lowStockThreshold)
        low = status != .inStock
        let threshold = stock.lowStockThreshold
        lowWarehouses = threshold > 0 ? stock.warehouses.filter { $0.available <= threshold }.map(\.warehouse) : []
    }
}

/// A page of products' stock, in product id order.
public struct StockPage: Codable, Sendable, Hashable {
    /// The products.
    public var items: [StockSummary]
    /// Where the next page starts; `nil` on the last page.
    public var nextCursor: String?

    /// Creates the value.
    public init(items: [StockSummary], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// An administrator's correction of one product's stock in one warehouse.
public struct StockAdjustment: Codable, Sendable, Hashable {
    /// The product; from the path over HTTP.
    public var productId: ProductID
    /// The warehouse.
    public var warehouse: WarehouseID
    /// Units added (positive) or removed (negative); on hand never drops below what is reserved.
    public var delta: Int
    /// Why: a stock count, damage, a found pallet.
    public var reason: String

    /// Creates an adjustment.
    public init(productId: ProductID, warehouse: WarehouseID, delta: Int, reason: String) {
        self.productId = productId
        self.warehouse = warehouse
        self.delta = delta
        self.reason = reason
    }
}

/// A product's low-stock threshold.
public struct LowStockThreshold: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Below or at this many available units the product is low on stock (0 turns the warning off).
    public var threshold: Int

    /// Creates the value.
    public init(productId: ProductID, threshold: Int) {
        self.productId = productId
        self.threshold = threshold
    }
}

/// Stock on its way: ordered from a supplier (a purchase order) and counted as incoming until received.
public struct IncomingStock: Codable, Sendable, Hashable {
    /// What orders it, unique: a purchase order's id. The same reference twice changes nothing.
    public var reference: String
    /// The product.
    public var productId: ProductID
    /// The warehouse it goes to.
    public var warehouse: WarehouseID
    /// How many units.
    public var quantity: Quantity

    /// Creates the value.
    public init(reference: String, productId: ProductID, warehouse: WarehouseID, quantity: Quantity) {
        self.reference = reference
        self.productId = productId
        self.warehouse = warehouse
        self.quantity = quantity
    }
}

/// Stock that arrived: a purchase order received (incoming becomes on hand) or a return put back on the shelf.
public struct StockReceipt: Codable, Sendable, Hashable {
    /// What it receives, unique: the purchase order's id (received once) or a return's id. The same reference
    /// twice changes nothing.
    public var reference: String
    /// Why it arrived.
    public var kind: Kind
    /// The product.
    public var productId: ProductID
    /// The warehouse.
    public var warehouse: WarehouseID
    /// How many units.
    public var quantity: Quantity

    /// Why stock arrived.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A purchase order announced with ``IncomingStock``.
        case purchaseOrder = "purchase-order"
        /// Items a customer sent back.
        case `return`
    }

    /// Creates the value.
    public init(reference: String, kind: Kind, productId: ProductID, warehouse: WarehouseID, quantity: Quantity) {
        self.reference = reference
        self.kind = kind
        self.productId = productId
        self.warehouse = warehouse
        self.quantity = quantity
    }
}

/// Whether the movement ledger accounts for the stored stock figures.
public struct LedgerCheck: Codable, Sendable, Hashable {
    /// One product and warehouse whose stored figures differ from the ledger's sums.
    public struct Mismatch: Codable, Sendable, Hashable {
        /// The product.
        public var productId: ProductID
        /// The warehouse.
        public var warehouse: WarehouseID
        /// On hand as stored, and as the ledger sums it.
        public var onHand: Int, ledgerOnHand: Int
        /// Reserved as stored, and as the ledger sums it.
        public var reserved: Int, ledgerReserved: Int

        /// Creates the value.
        public init(productId: ProductID, warehouse: WarehouseID, onHand: Int, ledgerOnHand: Int, reserved: Int, ledgerReserved: Int) {
            self.productId = productId
            self.warehouse = warehouse
            self.onHand = onHand
            self.ledgerOnHand = ledgerOnHand
            self.reserved = reserved
            self.ledgerReserved = ledgerReserved
        }
    }

    /// How many product-and-warehouse rows were checked.
    public var checked: Int
    /// Every row that does not add up; empty when the ledger accounts for everything.
    public var mismatches: [Mismatch]

    /// Creates the value.
    public init(checked: Int, mismatches: [Mismatch]) {
        self.checked = checked
        self.mismatches = mismatches
    }
}
