public import Messaging

/// A product was added.
public struct ProductCreated: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "catalog.product-created.v1"
    /// The product as created.
    public var product: Product
    /// Creates the event.
    public init(product: Product) { self.product = product }
}

/// A product changed (any field, including price).
public struct ProductUpdated: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "catalog.product-updated.v1"
    /// The product as it is now.
    public var product: Product
    /// Creates the event.
    public init(product: Product) { self.product = product }
}

/// A product was taken off sale.
public struct ProductDeactivated: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "catalog.product-deactivated.v1"
    /// The product, now inactive.
    public var product: Product
    /// Creates the event.
    public init(product: Product) { self.product = product }
}

/// The events the catalog publishes.
public enum CatalogEvents {
    /// Every event type the catalog publishes through its outbox.
    public static let published = [ProductCreated.eventType, ProductUpdated.eventType, ProductDeactivated.eventType]
}
