public import Commerce

/// Read a cart, priced for a destination.
public struct CartQuery: Codable, Sendable, Hashable {
    /// Whose cart.
    public var owner: CartOwner
    /// The destination the totals are for; ``Pricing/defaultCountry`` when `nil`.
    public var country: String?

    /// Creates the query.
    public init(owner: CartOwner, country: String? = nil) {
        self.owner = owner
        self.country = country
    }
}

/// Add units of a product (to its line when there is one).
public struct CartItemAddition: Codable, Sendable, Hashable {
    /// Whose cart; a guest's is created on its first addition.
    public var owner: CartOwner
    /// The product.
    public var productId: ProductID
    /// How many more: 1 to 99, and the line stays at most 99.
    public var quantity: Int
    /// The version the client last saw (`If-Match`); the write is refused when the cart has moved on.
    public var expectedVersion: Int?

    /// Creates the request.
    public init(owner: CartOwner, productId: ProductID, quantity: Int, expectedVersion: Int? = nil) {
        self.owner = owner
        self.productId = productId
        self.quantity = quantity
        self.expectedVersion = expectedVersion
    }
}

/// Set a line's quantity; 0 removes the line.
public struct CartItemUpdate: Codable, Sendable, Hashable {
    /// Whose cart.
    public var owner: CartOwner
    /// The product.
    public var productId: ProductID
    /// The new quantity: 0 to 99.
    public var quantity: Int
    /// The version the client last saw (`If-Match`).
    public var expectedVersion: Int?

    /// Creates the request.
    public init(owner: CartOwner, productId: ProductID, quantity: Int, expectedVersion: Int? = nil) {
        self.owner = owner
        self.productId = productId
        self.quantity = quantity
        self.expectedVersion = expectedVersion
    }
}

/// Move a guest's cart into the customer's who just signed in: quantities add up (at most 99 a line), and the guest
/// cart is gone. Merging again, or an unknown token, changes nothing.
public struct CartMerge: Codable, Sendable, Hashable {
    /// The signed-in customer.
    public var customerId: CustomerID
    /// The guest's token.
    public var guestToken: String

    /// Creates the request.
    public init(customerId: CustomerID, guestToken: String) {
        self.customerId = customerId
        self.guestToken = guestToken
    }
}

/// An order took these units out of the customer's cart: each line loses that many (and goes at 0). Idempotent per
/// order: the same order again changes nothing.
public struct CartCheckout: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The order.
    public var orderId: OrderID
    /// What the order bought.
    public var lines: [CheckedOutLine]

    /// Creates the request.
    public init(customerId: CustomerID, orderId: OrderID, lines: [CheckedOutLine]) {
        self.customerId = customerId
        self.orderId = orderId
        self.lines = lines
    }
}

/// One product an order bought.
public struct CheckedOutLine: Codable, Sendable, Hashable {
    /// The product.
    public var productId: ProductID
    /// How many.
    public var quantity: Int

    /// Creates the value.
    public init(productId: ProductID, quantity: Int) {
        self.productId = productId
        self.quantity = quantity
    }
}
