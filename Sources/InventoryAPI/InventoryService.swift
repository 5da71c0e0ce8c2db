public import Commerce
public import ServiceKit

/// Stock per product per warehouse, reservations for orders, and the movement ledger behind them.
///
/// Every operation that moves stock is idempotent: reserve, extend, commit and release per order id (and
/// warehouse, for commit), incoming and receipts per reference. Calling one again returns what the first did.
public protocol InventoryService: Sendable {
    /// Holds every line of an order, all or nothing: from one warehouse when one can hold it all, else split by
    /// warehouse priority. Reserving again for the same order returns the first reservation.
    /// - Throws: ``InventoryError/insufficientStock(_:)`` naming each short line and what is available.
    func reserve(_ request: ReservationRequest) async throws -> Reservation
    /// Keeps a held reservation longer.
    /// - Throws: ``InventoryError/reservationNotFound(_:)``, ``InventoryError/reservationNotHeld(_:_:)``.
    func extend(_ request: ReservationExtension) async throws -> Reservation
    /// The stock one warehouse holds for the order leaves with its shipment; again for the same warehouse
    /// changes nothing.
    /// - Throws: ``InventoryError/reservationNotFound(_:)``, ``InventoryError/reservationNotHeld(_:_:)`` (released or
    ///   expired).
    func commit(_ commitment: StockCommitment) async throws -> Reservation
    /// Gives back what a held reservation holds; again changes nothing. A committed one stays committed.
    /// - Throws: ``InventoryError/reservationNotFound(_:)``.
    func release(_ orderId: OrderID) async throws -> Reservation
    /// The reservation of an order.
    /// - Throws: ``InventoryError/reservationNotFound(_:)``.
    func reservation(_ orderId: OrderID) async throws -> Reservation
    /// Every reservation, a page at a time, in order id order: what an audit compares with the orders.
    /// - Throws: ``InventoryError/invalid(_:field:)`` for a limit outside 1 to 1,000.
    func reservations(_ query: ReservationQuery) async throws -> ReservationPage
    /// What a shopper sees: available units and status.
    func availability(_ productId: ProductID) async throws -> Availability
    /// A product's stock in every warehouse.
    func stock(_ productId: ProductID) async throws -> ProductStock
    /// Every stocked product's stock in every warehouse, or only the low ones, a page at a time in product id order.
    /// - Throws: ``InventoryError/invalid(_:field:)`` for a limit outside 1 to 100.
    func stockLevels(_ query: StockQuery) async throws -> StockPage
    /// Corrects on hand in one warehouse, with a reason in the ledger.
    /// - Throws: ``InventoryError/adjustmentBelowReserved(_:_:onHand:reserved:)``,
    ///   ``InventoryError/warehouseNotFound(_:)``, ``InventoryError/invalid(_:field:)``.
    func adjust(_ adjustment: StockAdjustment) async throws -> ProductStock
    /// Sets a product's low-stock threshold.
    func setThreshold(_ threshold: LowStockThreshold) async throws -> ProductStock
    /// Counts stock as incoming (a purchase order raised); the same reference twice changes nothing.
    func expectIncoming(_ incoming: IncomingStock) async throws -> ProductStock
    /// Puts received stock on hand (a purchase order's, leaving incoming; or a return's); the same reference
    /// twice changes nothing.
    func receive(_ receipt: StockReceipt) async throws -> ProductStock
    /// The warehouses, in priority order.
    func warehouses() async throws -> [Warehouse]
    /// Recomputes on hand and reserved from the movement ledger and compares them with the stored figures.
    func checkLedger() async throws -> LedgerCheck
}

/// Inventory's endpoints.
public enum InventoryEndpoints {
    /// ``InventoryService/reserve(_:)``: idempotent per order.
    public static let reserve = Endpoint<ReservationRequest, Reservation>("inventory.reserve", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/extend(_:)``.
    public static let extend = Endpoint<ReservationExtension, Reservation>("inventory.extend", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/commit(_:)``: idempotent per order and warehouse.
    public static let commit = Endpoint<StockCommitment, Reservation>("inventory.commit", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/release(_:)``: idempotent per order.
    public static let release = Endpoint<OrderID, Reservation>("inventory.release", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/reservation(_:)``.
    public static let reservation = Endpoint<OrderID, Reservation>("inventory.reservation", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/reservations(_:)``.
    public static let reservations = Endpoint<ReservationQuery, ReservationPage>(
        "inventory.reservations",
        idempotent: true,
        failure: InventoryError.self
    )
    /// ``InventoryService/availability(_:)``.
    public static let availability = Endpoint<ProductID, Availability>("inventory.availability", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/stock(_:)``.
    public static let stock = Endpoint<ProductID, ProductStock>("inventory.stock", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/stockLevels(_:)``.
    public static let stockLevels = Endpoint<StockQuery, StockPage>("inventory.stock-levels", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/adjust(_:)``: not idempotent (each adjustment is a movement).
    public static let adjust = Endpoint<StockAdjustment, ProductStock>("inventory.adjust", failure: InventoryError.self)
    /// ``InventoryService/setThreshold(_:)``.
    public static let setThreshold = Endpoint<LowStockThreshold, ProductStock>(
        "inventory.set-threshold",
        idempotent: true,
        failure: InventoryError.self
    )
    /// ``InventoryService/expectIncoming(_:)``: idempotent per reference.
    public static let expectIncoming = Endpoint<IncomingStock, ProductStock>(
        "inventory.expect-incoming",
        idempotent: true,
        failure: InventoryError.self
    )
    /// ``InventoryService/receive(_:)``: idempotent per reference.
    public static let receive = Endpoint<StockReceipt, ProductStock>("inventory.receive", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/warehouses()``.
    public static let warehouses = Endpoint<NoInput, [Warehouse]>("inventory.warehouses", idempotent: true, failure: InventoryError.self)
    /// ``InventoryService/checkLedger()``.
    public static let checkLedger = Endpoint<NoInput, LedgerCheck>(
        "inventory.check-ledger",
        idempotent: true,
        timeout: .seconds(30),
        failure: InventoryError.self
    )
}

/// Inventory as other modules and the gateway reach it: every method is a call through the pipeline.
public struct InventoryClient: InventoryService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func reserve(_ request: ReservationRequest) async throws -> Reservation { try await client.call(InventoryEndpoints.reserve, request) }
    public func extend(_ request: ReservationExtension) async throws -> Reservation { try await client.call(InventoryEndpoints.extend, request) }
    public func commit(_ commitment: StockCommitment) async throws -> Reservation { try await client.call(InventoryEndpoints.commit, commitment) }
    public func release(_ orderId: OrderID) async throws -> Reservation { try await client.call(InventoryEndpoints.release, orderId) }
    public func reservation(_ orderId: OrderID) async throws -> Reservation { try await client.call(InventoryEndpoints.reservation, orderId) }
    public func reservations(_ query: ReservationQuery) async throws -> ReservationPage {
        try await client.call(InventoryEndpoints.reservations, query)
    }
    public func availability(_ productId: ProductID) async throws -> Availability {
        try await client.call(InventoryEndpoints.availability, productId)
    }
    public func stock(_ productId: ProductID) async throws -> ProductStock { try await client.call(InventoryEndpoints.stock, productId) }
    public func stockLevels(_ query: StockQuery) async throws -> StockPage { try await client.call(InventoryEndpoints.stockLevels, query) }
    public func adjust(_ adjustment: StockAdjustment) async throws -> ProductStock { try await client.call(InventoryEndpoints.adjust, adjustment) }
    public func setThreshold(_ threshold: LowStockThreshold) async throws -> ProductStock {
        try await client.call(InventoryEndpoints.setThreshold, threshold)
    }
    public func expectIncoming(_ incoming: IncomingStock) async throws -> ProductStock {
        try await client.call(InventoryEndpoints.expectIncoming, incoming)
    }
    public func receive(_ receipt: StockReceipt) async throws -> ProductStock { try await client.call(InventoryEndpoints.receive, receipt) }
    public func warehouses() async throws -> [Warehouse] { try await client.call(InventoryEndpoints.warehouses, NoInput()) }
    public func checkLedger() async throws -> LedgerCheck { try await client.call(InventoryEndpoints.checkLedger, NoInput()) }
}

extension EndpointHandlers {
    /// Registers every inventory endpoint to be answered by `service`.
    public mutating func registerInventory(_ service: some InventoryService) {
        register(InventoryEndpoints.reserve) { try await service.reserve($0) }
        register(InventoryEndpoints.extend) { try await service.extend($0) }
        register(InventoryEndpoints.commit) { try await service.commit($0) }
        register(InventoryEndpoints.release) { try await service.release($0) }
        register(InventoryEndpoints.reservation) { try await service.reservation($0) }
        register(InventoryEndpoints.reservations) { try await service.reservations($0) }
        register(InventoryEndpoints.availability) { try await service.availability($0) }
        register(InventoryEndpoints.stock) { try await service.stock($0) }
        register(InventoryEndpoints.stockLevels) { try await service.stockLevels($0) }
        register(InventoryEndpoints.adjust) { try await service.adjust($0) }
        register(InventoryEndpoints.setThreshold) { try await service.setThreshold($0) }
        register(InventoryEndpoints.expectIncoming) { try await service.expectIncoming($0) }
        register(InventoryEndpoints.receive) { try await service.receive($0) }
        register(InventoryEndpoints.warehouses) { _ in try await service.warehouses() }
        register(InventoryEndpoints.checkLedger) { _ in try await service.checkLedger() }
    }
}
