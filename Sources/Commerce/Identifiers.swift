public import ServiceKit

/// Tags ``ProductID``.
public enum ProductTag {}
/// A product's identifier, such as `p-00042`: the catalog assigns it, and carts, stock, orders and search refer to
/// the product by it.
public typealias ProductID = Identifier<ProductTag>

/// Tags ``CustomerID``.
public enum CustomerTag {}
/// A customer's identifier.
///
/// A signed-in customer's id is their user id's raw value (Identity's `UserID`, the bearer token's subject):
/// `CustomerID(rawValue: principal.subject)`. Kept as its own type so that a customer-facing API does not need
/// Identity's types, and a product id or order id cannot be passed where a customer is meant.
public typealias CustomerID = Identifier<CustomerTag>

/// Tags ``OrderID``.
public enum OrderTag {}
/// An order's identifier, such as `o-0190f3…`: Orders assigns it, and stock reservations, payments and shipments
/// are keyed by it, which makes each of their steps idempotent per order.
public typealias OrderID = Identifier<OrderTag>
