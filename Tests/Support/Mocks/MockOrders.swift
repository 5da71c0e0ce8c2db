public import Commerce
public import OrdersAPI
public import ServiceKit

/// Orders' API answered by closures; each method the test does not set records a test issue when called.
public struct MockOrders: OrdersService {
    public var onCheckout: @Sendable (IdempotentRequest<CheckoutRequest>) async throws -> IdempotentReply<Order> = unexpected(
        "OrdersService.checkout"
    )
    public var onOrder: @Sendable (OrderReference) async throws -> Order = unexpected("OrdersService.order")
    public var onOrders: @Sendable (OrderQuery) async throws -> OrderPage = unexpected("OrdersService.orders")
    public var onCancel: @Sendable (OrderReference) async throws -> Order = unexpected("OrdersService.cancel")
    public var onRequestReturn: @Sendable (ReturnRequest) async throws -> Order = unexpected("OrdersService.requestReturn")
    public var onCustomerOrders: @Sendable (CustomerID) async throws -> [Order] = unexpected("OrdersService.customerOrders")
    public var onOpenSagas: @Sendable (NoInput) async throws -> OpenSagas = unexpected("OrdersService.openSagas")
    public var onSummary: @Sendable (NoInput) async throws -> OrdersSummary = unexpected("OrdersService.summary")

    /// Orders expecting no calls.
    public init() {}

    public func checkout(_ request: IdempotentRequest<CheckoutRequest>) async throws -> IdempotentReply<Order> { try await onCheckout(request) }
    public func order(_ reference: OrderReference) async throws -> Order { try await onOrder(reference) }
    public func orders(_ query: OrderQuery) async throws -> OrderPage { try await onOrders(query) }
    public func cancel(_ reference: OrderReference) async throws -> Order { try await onCancel(reference) }
    public func requestReturn(_ request: ReturnRequest) async throws -> Order { try await onRequestReturn(request) }
    public func customerOrders(_ customerId: CustomerID) async throws -> [Order] { try await onCustomerOrders(customerId) }
    public func openSagas() async throws -> OpenSagas { try await onOpenSagas(NoInput()) }
    public func summary() async throws -> OrdersSummary { try await onSummary(NoInput()) }

    /// The mock as the `orders` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerOrders(self)
        return MockService(name: "orders", handlers: handlers)
    }
}
