public import Commerce
public import InventoryAPI
public import ServiceKit

/// Inventory's API answered by closures; each method the test does not set records a test issue when called.
public struct MockInventory: InventoryService {
    public var onReserve: @Sendable (ReservationRequest) async throws -> Reservation = unexpected("InventoryService.reserve")
    public var onExtend: @Sendable (ReservationExtension) async throws -> Reservation = unexpected("InventoryService.extend")
    public var onCommit: @Sendable (StockCommitment) async throws -> Reservation = unexpected("InventoryService.commit")
    public var onRelease: @Sendable (OrderID) async throws -> Reservation = unexpected("InventoryService.release")
    public var onReservations: @Sendable (ReservationQuery) async throws -> ReservationPage = unexpected("InventoryService.reservations")
    public var onReservation: @Sendable (OrderID) async throws -> Reservation = unexpected("InventoryService.reservation")
    public var onAvailability: @Sendable (ProductID) async throws -> Availability = unexpected("InventoryService.availability")
    public var onStock: @Sendable (ProductID) async throws -> ProductStock = unexpected("InventoryService.stock")
    public var onStockLevels: @Sendable (StockQuery) async throws -> StockPage = unexpected("InventoryService.stockLevels")
    public var onAdjust: @Sendable (StockAdjustment) async throws -> ProductStock = unexpected("InventoryService.adjust")
    public var onSetThreshold: @Sendable (LowStockThreshold) async throws -> ProductStock = unexpected("InventoryService.setThreshold")
    public var onExpectIncoming: @Sendable (IncomingStock) async throws -> ProductStock = unexpected("InventoryService.expectIncoming")
    public var onReceive: @Sendable (StockReceipt) async throws -> ProductStock = unexpected("InventoryService.receive")
    public var onWarehouses: @Sendable (NoInput) async throws -> [Warehouse] = unexpected("InventoryService.warehouses")
    public var onCheckLedger: @Sendable (NoInput) async throws -> LedgerCheck = unexpected("InventoryService.checkLedger")

    /// An inventory expecting no calls.
    public init() {}

    public func reserve(_ request: ReservationRequest) async throws -> Reservation { try await onReserve(request) }
    public func extend(_ request: ReservationExtension) async throws -> Reservation { try await onExtend(request) }
    public func commit(_ commitment: StockCommitment) async throws -> Reservation { try await onCommit(commitment) }
    public func release(_ orderId: OrderID) async throws -> Reservation { try await onRelease(orderId) }
    public func reservation(_ orderId: OrderID) async throws -> Reservation { try await onReservation(orderId) }
    public func reservations(_ query: ReservationQuery) async throws -> ReservationPage { try await onReservations(query) }
    public func availability(_ productId: ProductID) async throws -> Availability { try await onAvailability(productId) }
    public func stock(_ productId: ProductID) async throws -> ProductStock { try await onStock(productId) }
    public func stockLevels(_ query: StockQuery) async throws -> StockPage { try await onStockLevels(query) }
    public func adjust(_ adjustment: StockAdjustment) async throws -> ProductStock { try await onAdjust(adjustment) }
    public func setThreshold(_ threshold: LowStockThreshold) async throws -> ProductStock { try await onSetThreshold(threshold) }
    public func expectIncoming(_ incoming: IncomingStock) async throws -> ProductStock { try await onExpectIncoming(incoming) }
    public func receive(_ receipt: StockReceipt) async throws -> ProductStock { try await onReceive(receipt) }
    public func warehouses() async throws -> [Warehouse] { try await onWarehouses(NoInput()) }
    public func checkLedger() async throws -> LedgerCheck { try await onCheckLedger(NoInput()) }

    /// The mock as the `inventory` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerInventory(self)
        return MockService(name: "inventory", handlers: handlers)
    }
}
