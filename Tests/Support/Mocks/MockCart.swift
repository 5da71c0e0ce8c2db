public import CartAPI
import ServiceKit

/// The cart's API answered by closures; each method the test does not set records a test issue when called.
public struct MockCart: CartService {
    public var onCart: @Sendable (CartQuery) async throws -> Cart = unexpected("CartService.cart")
    public var onAddItem: @Sendable (CartItemAddition) async throws -> Cart = unexpected("CartService.addItem")
    public var onUpdateItem: @Sendable (CartItemUpdate) async throws -> Cart = unexpected("CartService.updateItem")
    public var onMerge: @Sendable (CartMerge) async throws -> Cart = unexpected("CartService.merge")
    public var onCheckOut: @Sendable (CartCheckout) async throws -> Cart = unexpected("CartService.checkOut")

    /// A cart expecting no calls.
    public init() {}

    public func cart(_ query: CartQuery) async throws -> Cart { try await onCart(query) }
    public func addItem(_ addition: CartItemAddition) async throws -> Cart { try await onAddItem(addition) }
    public func updateItem(_ update: CartItemUpdate) async throws -> Cart { try await onUpdateItem(update) }
    public func merge(_ merge: CartMerge) async throws -> Cart { try await onMerge(merge) }
    public func checkOut(_ checkout: CartCheckout) async throws -> Cart { try await onCheckOut(checkout) }

    /// The mock as the `cart` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerCart(self)
        return MockService(name: "cart", handlers: handlers)
    }
}
