public import Commerce
public import Foundation
public import Messaging

/// Units of a product were added to a cart: what a shopper showed interest in before buying. Written in the same
/// transaction as the addition, so an addition that was refused publishes nothing. The subject is the cart's id, so one
/// cart's additions are handled in the order they were made, and erasing a customer can blank their cart's events by it.
public struct CartItemAdded: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "cart.item-added.v1"
    /// The product.
    public var productId: ProductID
    /// How many units were added this time.
    public var quantity: Int
    /// The cart's owner when it is a signed-in customer; `nil` for a guest's cart.
    public var customerId: CustomerID?
    /// When the units were added.
    public var at: Date

    /// Creates the event.
    public init(productId: ProductID, quantity: Int, customerId: CustomerID?, at: Date) {
        self.productId = productId
        self.quantity = quantity
        self.customerId = customerId
        self.at = at
    }
}

/// The events the cart publishes.
public enum CartEvents {
    /// Every event type the cart publishes through its outbox.
    public static let published = [CartItemAdded.eventType]
}
