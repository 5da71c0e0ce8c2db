public import ServiceKit

/// Shipments out of the warehouses, purchase orders to the supplier, and returns back in.
///
/// Every operation that changes Inventory is safe to repeat: fulfilment per order, shipping per shipment,
/// receiving per purchase order and per return. What Warehouse decides is recorded first and Inventory is told
/// afterwards, retried until it confirms, so a crash in between neither loses the change nor makes it twice.
public protocol WarehouseService: Sendable {
    /// Creates one shipment per warehouse the order's reservation allocated from, with its lines, and keeps the
    /// reservation held until they ship. Fulfilling the same order again returns the same shipments.
    /// - Throws: ``WarehouseError/orderNotFulfillable(_:reason:)`` when the order holds no stock or its reservation
    ///   is no longer held; ``WarehouseError/inventoryUnavailable(_:)``.
    func fulfil(_ request: FulfilmentRequest) async throws -> [Shipment]
    /// One shipment.
    /// - Throws: ``WarehouseError/shipmentNotFound(_:)``.
    func shipment(_ id: ShipmentID) async throws -> Shipment
    /// Shipments, newest first.
    /// - Throws: ``WarehouseError/invalid(_:field:)`` for a limit outside 1 to 1,000.
    func shipments(_ query: ShipmentQuery) async throws -> [Shipment]
    /// Moves a shipment one step on from the status it is found in: `created → picking → packed → shipped →
    /// delivered`. Shipping commits its stock out of Inventory, once; a step another caller is taking at the same
    /// moment is taken once, and the shipment is returned as it is.
    /// - Throws: ``WarehouseError/shipmentNotFound(_:)``, ``WarehouseError/shipmentFinished(_:_:)``,
    ///   ``WarehouseError/stockNotCommitted(_:reason:)``, ``WarehouseError/inventoryUnavailable(_:)`` (the
    ///   shipment stays `shipping` and ships when Inventory answers).
    func advance(_ id: ShipmentID) async throws -> Shipment
    /// Cancels a shipment that has not been handed to the carrier; cancelling it again returns it.
    /// - Throws: ``WarehouseError/shipmentNotFound(_:)``, ``WarehouseError/shipmentAlreadyShipped(_:_:)``.
    func cancel(_ id: ShipmentID) async throws -> Shipment
    /// Every purchase order, newest first.
    func purchaseOrders() async throws -> [PurchaseOrder]
    /// Receives a purchase order: its units go on hand in Inventory, once; receiving it again returns it.
    /// - Throws: ``WarehouseError/purchaseOrderNotFound(_:)``, ``WarehouseError/inventoryUnavailable(_:)``.
    func receivePurchaseOrder(_ id: PurchaseOrderID) async throws -> PurchaseOrder
    /// Puts a customer's returned units back on hand, once per return id.
    /// - Throws: ``WarehouseError/invalid(_:field:)``, ``WarehouseError/returnMismatch(_:)``,
    ///   ``WarehouseError/returnRefused(_:reason:)``, ``WarehouseError/inventoryUnavailable(_:)``.
    func receiveReturn(_ receipt: ReturnReceipt) async throws -> ReceivedReturn
}

extension WarehouseService {
    /// Shipments in `status` (every status when `nil`), newest first, at most 100.
    public func shipments(status: ShipmentStatus?) async throws -> [Shipment] {
        try await shipments(ShipmentQuery(status: status))
    }
}

/// Warehouse's endpoints. Those that call Inventory have room for the nested call and its retries.
public enum WarehouseEndpoints {
    /// ``WarehouseService/fulfil(_:)``: idempotent per order.
    public static let fulfil = Endpoint<FulfilmentRequest, [Shipment]>(
        "warehouse.fulfil",
        idempotent: true,
        timeout: .seconds(10),
        failure: WarehouseError.self
    )
    /// ``WarehouseService/shipment(_:)``.
    public static let shipment = Endpoint<ShipmentID, Shipment>("warehouse.shipment", idempotent: true, failure: WarehouseError.self)
    /// ``WarehouseService/shipments(_:)``.
    public static let shipments = Endpoint<ShipmentQuery, [Shipment]>("warehouse.shipments", idempotent: true, failure: WarehouseError.self)
    /// ``WarehouseService/advance(_:)``: not idempotent (each call is a step), so never retried by the pipeline.
    public static let advance = Endpoint<ShipmentID, Shipment>("warehouse.advance", timeout: .seconds(10), failure: WarehouseError.self)
    /// ``WarehouseService/cancel(_:)``: idempotent.
    public static let cancel = Endpoint<ShipmentID, Shipment>("warehouse.cancel", idempotent: true, failure: WarehouseError.self)
    /// ``WarehouseService/purchaseOrders()``.
    public static let purchaseOrders = Endpoint<NoInput, [PurchaseOrder]>("warehouse.purchase-orders", idempotent: true, failure: WarehouseError.self)
    /// ``WarehouseService/receivePurchaseOrder(_:)``: idempotent per purchase order.
    public static let receivePurchaseOrder = Endpoint<PurchaseOrderID, PurchaseOrder>(
        "warehouse.receive-purchase-order",
        idempotent: true,
        timeout: .seconds(10),
        failure: WarehouseError.self
    )
    /// ``WarehouseService/receiveReturn(_:)``: idempotent per return.
    public static let receiveReturn = Endpoint<ReturnReceipt, ReceivedReturn>(
        "warehouse.receive-return",
        idempotent: true,
        timeout: .seconds(10),
        failure: WarehouseError.self
    )
}

/// Warehouse as other modules and the gateway reach it: every method is a call through the pipeline.
public struct WarehouseClient: WarehouseService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func fulfil(_ request: FulfilmentRequest) async throws -> [Shipment] { try await client.call(WarehouseEndpoints.fulfil, request) }
    public func shipment(_ id: ShipmentID) async throws -> Shipment { try await client.call(WarehouseEndpoints.shipment, id) }
    public func shipments(_ query: ShipmentQuery) async throws -> [Shipment] { try await client.call(WarehouseEndpoints.shipments, query) }
    public func advance(_ id: ShipmentID) async throws -> Shipment { try await client.call(WarehouseEndpoints.advance, id) }
    public func cancel(_ id: ShipmentID) async throws -> Shipment { try await client.call(WarehouseEndpoints.cancel, id) }
    public func purchaseOrders() async throws -> [PurchaseOrder] { try await client.call(WarehouseEndpoints.purchaseOrders, NoInput()) }
    public func receivePurchaseOrder(_ id: PurchaseOrderID) async throws -> PurchaseOrder {
        try await client.call(WarehouseEndpoints.receivePurchaseOrder, id)
    }
    public func receiveReturn(_ receipt: ReturnReceipt) async throws -> ReceivedReturn {
        try await client.call(WarehouseEndpoints.receiveReturn, receipt)
    }
}

extension EndpointHandlers {
    /// Registers every warehouse endpoint to be answered by `service`.
    public mutating func registerWarehouse(_ service: some WarehouseService) {
        register(WarehouseEndpoints.fulfil) { try await service.fulfil($0) }
        register(WarehouseEndpoints.shipment) { try await service.shipment($0) }
        register(WarehouseEndpoints.shipments) { try await service.shipments($0) }
        register(WarehouseEndpoints.advance) { try await service.advance($0) }
        register(WarehouseEndpoints.cancel) { try await service.cancel($0) }
        register(WarehouseEndpoints.purchaseOrders) { _ in try await service.purchaseOrders() }
        register(WarehouseEndpoints.receivePurchaseOrder) { try await service.receivePurchaseOrder($0) }
        register(WarehouseEndpoints.receiveReturn) { try await service.receiveReturn($0) }
    }
}
