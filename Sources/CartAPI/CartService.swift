public import ServiceKit

/// Server-side carts: a signed-in customer's, or a guest's by token; kept current from catalog, stock and membership
/// events, so reading one never calls another service.
///
/// Writes take the version the client last saw (`expectedVersion`, from `If-Match`) and are refused with
/// ``CartError/versionConflict(expected:actual:)`` when the cart moved on. Carts idle for 30 days expire.
public protocol CartService: Sendable {
    /// The cart (empty, version 0, when there is none).
    func cart(_ query: CartQuery) async throws -> Cart
    /// Adds units of a product.
    /// - Throws: ``CartError/productNotFound(_:)``, ``CartError/productOffSale(_:)``, ``CartError/tooManyLines(limit:)``,
    ///   ``CartError/versionConflict(expected:actual:)``, ``CartError/invalid(_:field:)``.
    func addItem(_ addition: CartItemAddition) async throws -> Cart
    /// Sets a line's quantity; 0 removes it.
    /// - Throws: ``CartError/lineNotFound(_:)``, ``CartError/versionConflict(expected:actual:)``, ``CartError/invalid(_:field:)``.
    func updateItem(_ update: CartItemUpdate) async throws -> Cart
    /// Moves a guest's cart into the customer's.
    func merge(_ merge: CartMerge) async throws -> Cart
    /// Takes what an order bought out of the customer's cart, once per order.
    func checkOut(_ checkout: CartCheckout) async throws -> Cart
}

/// The cart's endpoints.
public enum CartEndpoints {
    /// ``CartService/cart(_:)``.
    public static let cart = Endpoint<CartQuery, Cart>("cart.cart", idempotent: true, failure: CartError.self)
    /// ``CartService/addItem(_:)``: not idempotent (each call adds), so never retried by the pipeline.
    public static let addItem = Endpoint<CartItemAddition, Cart>("cart.add-item", timeout: .seconds(10), failure: CartError.self)
    /// ``CartService/updateItem(_:)``: idempotent (it sets).
    public static let updateItem = Endpoint<CartItemUpdate, Cart>("cart.update-item", idempotent: true, failure: CartError.self)
    /// ``CartService/merge(_:)``: idempotent.
    public static let merge = Endpoint<CartMerge, Cart>("cart.merge", idempotent: true, failure: CartError.self)
    /// ``CartService/checkOut(_:)``: idempotent per order.
    public static let checkOut = Endpoint<CartCheckout, Cart>("cart.check-out", idempotent: true, failure: CartError.self)
}

/// The cart as other modules and the gateway reach it.
public struct CartClient: CartService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func cart(_ query: CartQuery) async throws -> Cart { try await client.call(CartEndpoints.cart, query) }
    public func addItem(_ addition: CartItemAddition) async throws -> Cart { try await client.call(CartEndpoints.addItem, addition) }
    public func updateItem(_ update: CartItemUpdate) async throws -> Cart { try await client.call(CartEndpoints.updateItem, update) }
    public func merge(_ merge: CartMerge) async throws -> Cart { try await client.call(CartEndpoints.merge, merge) }
    public func checkOut(_ checkout: CartCheckout) async throws -> Cart { try await client.call(CartEndpoints.checkOut, checkout) }
}

extension EndpointHandlers {
    /// Registers every cart endpoint to be answered by `service`.
    public mutating func registerCart(_ service: some CartService) {
        register(CartEndpoints.cart) { try await service.cart($0) }
        register(CartEndpoints.addItem) { try await service.addItem($0) }
        register(CartEndpoints.updateItem) { try await service.updateItem($0) }
        register(CartEndpoints.merge) { try await service.merge($0) }
        register(CartEndpoints.checkOut) { try await service.checkOut($0) }
    }
}
