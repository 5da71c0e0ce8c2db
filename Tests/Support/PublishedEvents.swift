public import CatalogAPI
import Commerce
import InventoryAPI
public import Messaging
import ServiceKit

// Events as their publishers write them (their types, sources and subjects), for the modules that consume them.

/// The catalog's report that `product` was added.
public func created(_ product: Product) throws -> Envelope {
    try Envelope(ProductCreated(product: product), source: "/emporium/catalog", subject: product.id.rawValue)
}

/// The catalog's report that `product` changed.
public func updated(_ product: Product) throws -> Envelope {
    try Envelope(ProductUpdated(product: product), source: "/emporium/catalog", subject: product.id.rawValue)
}

/// The catalog's report that `product` went off sale.
public func deactivated(_ product: Product) throws -> Envelope {
    try Envelope(ProductDeactivated(product: product), source: "/emporium/catalog", subject: product.id.rawValue)
}

/// Inventory's report of a product's available units (fewer than 5 is low stock).
public func stockLevel(_ product: String, available: Int) throws -> Envelope {
    let status: StockStatus = available == 0 ? .outOfStock : available < 5 ? .lowStock : .inStock
    return try Envelope(
        StockLevelChanged(availability: Availability(productId: ProductID(rawValue: product), available: available, status: status)),
        source: "/emporium/inventory",
        subject: product
    )
}
