public import ServiceKit
public import WarehouseAPI

/// Warehouse's API answered by closures; each method the test does not set records a test issue when called.
public struct MockWarehouse: WarehouseService {
    public var onFulfil: @Sendable (FulfilmentRequest) async throws -> [Shipment] = unexpected("WarehouseService.fulfil")
    public var onShipment: @Sendable (ShipmentID) async throws -> Shipment = unexpected("WarehouseService.shipment")
    public var onShipments: @Sendable (ShipmentQuery) async throws -> [Shipment] = unexpected("WarehouseService.shipments")
    public var onAdvance: @Sendable (ShipmentID) async throws -> Shipment = unexpected("WarehouseService.advance")
    public var onCancel: @Sendable (ShipmentID) async throws -> Shipment = unexpected("WarehouseService.cancel")
    public var onPurchaseOrders: @Sendable (NoInput) async throws -> [PurchaseOrder] = unexpected("WarehouseService.purchaseOrders")
    public var onReceivePurchaseOrder: @Sendable (PurchaseOrderID) async throws -> PurchaseOrder = unexpected("WarehouseService.receivePurchaseOrder")
    public var onReceiveReturn: @Sendable (ReturnReceipt) async throws -> ReceivedReturn = unexpected("WarehouseService.receiveReturn")

    /// A warehouse expecting no calls.
    public init() {}

    public func fulfil(_ request: FulfilmentRequest) async throws -> [Shipment] { try await onFulfil(request) }
    public func shipment(_ id: ShipmentID) async throws -> Shipment { try await onShipment(id) }
    public func shipments(_ query: ShipmentQuery) async throws -> [Shipment] { try await onShipments(query) }
    public func advance(_ id: ShipmentID) async throws -> Shipment { try await onAdvance(id) }
    public func cancel(_ id: ShipmentID) async throws -> Shipment { try await onCancel(id) }
    public func purchaseOrders() async throws -> [PurchaseOrder] { try await onPurchaseOrders(NoInput()) }
    public func receivePurchaseOrder(_ id: PurchaseOrderID) async throws -> PurchaseOrder { try await onReceivePurchaseOrder(id) }
    public func receiveReturn(_ receipt: ReturnReceipt) async throws -> ReceivedReturn { try await onReceiveReturn(receipt) }

    /// The mock as the `warehouse` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerWarehouse(self)
        return MockService(name: "warehouse", handlers: handlers)
    }
}
