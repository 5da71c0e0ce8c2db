public import ServiceKit

/// Tags ``ShipmentID``.
public enum ShipmentTag {}
/// A shipment's identifier, such as `shp-0190…`: Warehouse assigns it when an order is fulfilled.
public typealias ShipmentID = Identifier<ShipmentTag>

/// Tags ``PurchaseOrderID``.
public enum PurchaseOrderTag {}
/// A purchase order's identifier, such as `po-0190…`; it is also the reference Inventory counts its stock under.
public typealias PurchaseOrderID = Identifier<PurchaseOrderTag>

/// Tags ``ReturnID``.
public enum ReturnTag {}
/// A customer return's identifier, given by whoever accepted the return (Orders); receiving is idempotent by it.
public typealias ReturnID = Identifier<ReturnTag>
