public import Commerce
public import Foundation
public import ServiceKit

/// Tags ``CartID``.
public enum CartTag {}
/// A cart's identifier.
public typealias CartID = Identifier<CartTag>

/// Whose cart: a signed-in customer's, or a guest's, named by the opaque token the edge gave the guest
/// (`X-Cart-Token`). Exactly one of the two is set.
public struct CartOwner: Codable, Sendable, Hashable {
    /// The customer, for a signed-in customer's cart.
    public var customerId: CustomerID?
    /// The guest's token, for a guest's cart.
    public var guestToken: String?

    /// A customer's cart.
    public static func customer(_ id: CustomerID) -> CartOwner { CartOwner(customerId: id, guestToken: nil) }
    /// A guest's cart.
    public static func guest(_ token: String) -> CartOwner { CartOwner(customerId: nil, guestToken: token) }

    private init(customerId: CustomerID?, guestToken: String?) {
        self.customerId = customerId
        self.guestToken = guestToken
    }
}

/// One product in a cart (or an order), with its price as it is now and what changed since it was added.
public struct CartLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// Its name, as the catalog last said.
    public var name: String
    /// How many: 1 to 99.
    public var quantity: Int
    /// The unit price now, as the catalog last said.
    public var unitPrice: Money
    /// `unitPrice × quantity`.
    public var lineTotal: Money
    /// The unit price when the line was added, present only when it has changed since.
    public var priceChangedFrom: Money?
    /// Whether the product went off sale; such a line cannot be bought.
    public var offSale: Bool
    /// How many are available, present only when fewer than ``quantity`` are.
    public var availableQuantity: Int?

    /// Creates the value.
    public init(
        productId: ProductID,
        name: String,
        quantity: Int,
        unitPrice: Money,
        lineTotal: Money,
        priceChangedFrom: Money? = nil,
        offSale: Bool = false,
        availableQuantity: Int? = nil
    ) {
        self.productId = productId
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
        self.priceChangedFrom = priceChangedFrom
        self.offSale = offSale
        self.availableQuantity = availableQuantity
    }
}

/// A cart, priced for a destination: read from the cart's own copy of catalog, stock and membership facts, never by
/// calling the catalog.
public struct Cart: Codable, Sendable, Hashable {
    /// Its identifier; a cart never written to has one too.
    public var id: CartID
    /// The customer, for a signed-in customer's cart.
    public var customerId: CustomerID?
    /// Its lines, in the order they were first added.
    public var lines: [CartLine]
    /// Its totals for ``country``.
    public var totals: Totals
    /// The destination the totals are for.
    public var country: String
    /// Whether the owner is a member (free shipping).
    public var member: Bool
    /// Its version: 0 before the first write, one more with every write; the ETag, and what `If-Match` names.
    public var version: Int
    /// When it last changed.
    public var updatedAt: Date?
    /// When it expires unless changed again (30 days after the last change).
    public var expiresAt: Date?

    /// Creates the value.
    public init(
        id: CartID,
        customerId: CustomerID?,
        lines: [CartLine],
        totals: Totals,
        country: String,
        member: Bool,
        version: Int,
        updatedAt: Date?,
        expiresAt: Date?
    ) {
        self.id = id
        self.customerId = customerId
        self.lines = lines
        self.totals = totals
        self.country = country
        self.member = member
        self.version = version
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }

    /// Whether every line can be bought now: none off sale, none short.
    public var isPurchasable: Bool { !lines.isEmpty && lines.allSatisfy { !$0.offSale && $0.availableQuantity == nil } }
}
