public import Commerce
public import ServiceKit

/// Orders and the checkout saga that makes them: stock reserved, card authorised, cart cleared, payment captured and
/// fulfilment requested, or every step compensated, each call keyed by order and step so that a retry or a restart
/// never charges or reserves twice.
public protocol OrdersService: Sendable {
    /// Checks the customer's cart out: snapshots its lines, prices and the address into a `pending` order, then runs
    /// the checkout saga for up to `orders.checkout-deadline` (5 s) and returns the order as it stands: `confirmed`,
    /// `rejected`, `payment-failed`, `cancelled`, or still `pending` (the saga goes on in the background; read the
    /// order again). The order id is derived from the customer and the idempotency key, so a retry after a crash
    /// resumes the same order.
    /// - Throws: ``OrdersError/emptyCart``, ``OrdersError/cartNotPurchasable(_:)``, ``OrdersError/addressNotFound(_:)``,
    ///   ``OrdersError/invalidAddress(_:)``, ``OrdersError/invalid(_:field:)``; ``ServiceKit/IdempotencyFailure``.
    func checkout(_ request: IdempotentRequest<CheckoutRequest>) async throws -> IdempotentReply<Order>
    /// One order.
    /// - Throws: ``OrdersError/orderNotFound(_:)``, also when `customerId` is set and is not the order's customer.
    func order(_ reference: OrderReference) async throws -> Order
    /// Orders, newest first, a page at a time.
    /// - Throws: ``OrdersError/invalid(_:field:)`` for a limit outside 1 to 100 or a cursor this service did not give.
    func orders(_ query: OrderQuery) async throws -> OrderPage
    /// Cancels a confirmed order that has not shipped: its shipments cancelled, its payment refunded (or voided), its
    /// stock released. A `rejected`, `payment-failed` or `cancelled` order is returned as it is.
    /// - Throws: ``OrdersError/orderNotFound(_:)``; ``OrdersError/notCancellable(_:_:)`` while pending and once a
    ///   shipment was handed to the carrier.
    func cancel(_ reference: OrderReference) async throws -> Order
    /// Takes units of a delivered order back: the warehouse receives them (reference `<order id>-r<n>`) and their
    /// share of what was paid is refunded. The share: the order's total, shipping included, is split over its
    /// lines in proportion to their totals, and each line's share over its units, with `Money.allocated(over:)`;
    /// a return is refunded the shares of the units it returns, taken in order, so returning everything refunds
    /// exactly the total. When every unit is back the order is `returned`.
    /// - Throws: ``OrdersError/orderNotFound(_:)``, ``OrdersError/notReturnable(_:_:)``,
    ///   ``OrdersError/returnRefused(_:reason:)``, ``OrdersError/invalid(_:field:)``.
    func requestReturn(_ request: ReturnRequest) async throws -> Order
    /// Every order of a customer, newest first, for their data export.
    func customerOrders(_ customerId: CustomerID) async throws -> [Order]
    /// The checkout sagas that have not reached their end, oldest order first, each with its phase and whether it is
    /// compensating.
    func openSagas() async throws -> OpenSagas
    /// How many orders there are in each status.
    func summary() async throws -> OrdersSummary
}

/// Orders' endpoints.
public enum OrdersEndpoints {
    /// ``OrdersService/checkout(_:)``: idempotent per key, with room for the saga's deadline and its calls.
    public static let checkout = Endpoint<IdempotentRequest<CheckoutRequest>, IdempotentReply<Order>>(
        "orders.checkout",
        idempotent: true,
        timeout: .seconds(15),
        failure: OrdersError.self
    )
    /// ``OrdersService/order(_:)``.
    public static let order = Endpoint<OrderReference, Order>("orders.order", idempotent: true, failure: OrdersError.self)
    /// ``OrdersService/orders(_:)``.
    public static let orders = Endpoint<OrderQuery, OrderPage>("orders.orders", idempotent: true, failure: OrdersError.self)
    /// ``OrdersService/cancel(_:)``: idempotent (a cancelled order is returned as it is).
    public static let cancel = Endpoint<OrderReference, Order>("orders.cancel", idempotent: true, timeout: .seconds(15), failure: OrdersError.self)
    /// ``OrdersService/requestReturn(_:)``: not idempotent (each call is a return), so never retried by the pipeline.
    public static let requestReturn = Endpoint<ReturnRequest, Order>("orders.request-return", timeout: .seconds(15), failure: OrdersError.self)
    /// ``OrdersService/customerOrders(_:)``.
    public static let customerOrders = Endpoint<CustomerID, [Order]>("orders.customer-orders", idempotent: true, failure: OrdersError.self)
    /// ``OrdersService/openSagas()``.
    public static let openSagas = Endpoint<NoInput, OpenSagas>("orders.open-sagas", idempotent: true, failure: OrdersError.self)
    /// ``OrdersService/summary()``.
    public static let summary = Endpoint<NoInput, OrdersSummary>("orders.summary", idempotent: true, failure: OrdersError.self)
}

/// Orders as other modules and the gateway reach it: every method is a call through the pipeline.
public struct OrdersClient: OrdersService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func checkout(_ request: IdempotentRequest<CheckoutRequest>) async throws -> IdempotentReply<Order> {
        try await client.call(OrdersEndpoints.checkout, request)
    }
    public func order(_ reference: OrderReference) async throws -> Order { try await client.call(OrdersEndpoints.order, reference) }
    public func orders(_ query: OrderQuery) async throws -> OrderPage { try await client.call(OrdersEndpoints.orders, query) }
    public func cancel(_ reference: OrderReference) async throws -> Order { try await client.call(OrdersEndpoints.cancel, reference) }
    public func requestReturn(_ request: ReturnRequest) async throws -> Order { try await client.call(OrdersEndpoints.requestReturn, request) }
    public func customerOrders(_ customerId: CustomerID) async throws -> [Order] {
        try await client.call(OrdersEndpoints.customerOrders, customerId)
    }
    public func openSagas() async throws -> OpenSagas { try await client.call(OrdersEndpoints.openSagas, NoInput()) }
    public func summary() async throws -> OrdersSummary { try await client.call(OrdersEndpoints.summary, NoInput()) }
}

extension EndpointHandlers {
    /// Registers every orders endpoint to be answered by `service`.
    public mutating func registerOrders(_ service: some OrdersService) {
        register(OrdersEndpoints.checkout) { try await service.checkout($0) }
        register(OrdersEndpoints.order) { try await service.order($0) }
        register(OrdersEndpoints.orders) { try await service.orders($0) }
        register(OrdersEndpoints.cancel) { try await service.cancel($0) }
        register(OrdersEndpoints.requestReturn) { try await service.requestReturn($0) }
        register(OrdersEndpoints.customerOrders) { try await service.customerOrders($0) }
        register(OrdersEndpoints.openSagas) { _ in try await service.openSagas() }
        register(OrdersEndpoints.summary) { _ in try await service.summary() }
    }
}
