public import Commerce
public import ServiceKit

/// What Warehouse answers when it cannot do what was asked.
public enum WarehouseError: ServiceFailure {
    /// No shipment has this id.
    case shipmentNotFound(ShipmentID)
    /// No purchase order has this id.
    case purchaseOrderNotFound(PurchaseOrderID)
    /// The order cannot be fulfilled: it holds no stock, or its reservation is no longer held. The reason is a
    /// clause (no capital, no full stop), as are the other reasons.
    case orderNotFulfillable(OrderID, reason: String)
    /// The shipment is delivered or cancelled: it has no further step.
    case shipmentFinished(ShipmentID, ShipmentStatus)
    /// The shipment was handed to the carrier (or went further), so it can no longer be cancelled.
    case shipmentAlreadyShipped(ShipmentID, ShipmentStatus)
    /// Inventory refused to commit the shipment's stock (its reservation was released or expired); the shipment
    /// went back to `packed`.
    case stockNotCommitted(ShipmentID, reason: String)
    /// Inventory refused to put a return's units on hand; nothing of the return is recorded, so a corrected
    /// receipt can be sent again.
    case returnRefused(ReturnID, reason: String)
    /// The return was received before with other lines, order or warehouse.
    case returnMismatch(ReturnID)
    /// Inventory refused to count a purchase order as incoming (its warehouse is unknown to it, say); the order was
    /// withdrawn, so the next stock-low report raises a new one.
    case purchaseOrderRefused(PurchaseOrderID, reason: String)
    /// Inventory did not answer. The text, a clause, says what became of the request: a step Warehouse had
    /// recorded is finished in the background; anything else changed nothing and can be sent again.
    case inventoryUnavailable(String)
    /// The request is not acceptable; the text says why, worded to follow `field` when it names the member at fault.
    case invalid(String, field: String? = nil)

    /// `shipment-not-found`, `purchase-order-not-found`, `order-not-fulfillable`, `shipment-finished`,
    /// `shipment-already-shipped`, `stock-not-committed`, `return-refused`, `return-mismatch`,
    /// `purchase-order-refused`, `inventory-unavailable` or `validation-failed`.
    public var problemType: String {
        switch self {
        case .shipmentNotFound: "shipment-not-found"
        case .purchaseOrderNotFound: "purchase-order-not-found"
        case .orderNotFulfillable: "order-not-fulfillable"
        case .shipmentFinished: "shipment-finished"
        case .shipmentAlreadyShipped: "shipment-already-shipped"
        case .stockNotCommitted: "stock-not-committed"
        case .returnRefused: "return-refused"
        case .returnMismatch: "return-mismatch"
        case .purchaseOrderRefused: "purchase-order-refused"
        case .inventoryUnavailable: "inventory-unavailable"
        case .invalid: "validation-failed"
        }
    }

    /// A sentence saying what went wrong.
    public var detail: String {
        switch self {
        case .shipmentNotFound(let id): "No shipment has the id \(id.rawValue)."
        case .purchaseOrderNotFound(let id): "No purchase order has the id \(id.rawValue)."
        case .orderNotFulfillable(let order, let reason): "Order \(order.rawValue) cannot be fulfilled: \(reason)."
        case .shipmentFinished(let id, let status): "Shipment \(id.rawValue) is \(status.rawValue) and has no further step."
        case .shipmentAlreadyShipped(let id, let status):
            "Shipment \(id.rawValue) is \(status.rawValue); a shipment can be cancelled only until it is handed to the carrier."
        case .stockNotCommitted(let id, let reason):
            "Shipment \(id.rawValue) cannot ship, because Inventory did not commit its stock: \(reason); it is packed again."
        case .returnRefused(let id, let reason): "Return \(id.rawValue) was not received, because Inventory refused it: \(reason)."
        case .returnMismatch(let id): "Return \(id.rawValue) was received before with other lines, order or warehouse."
        case .purchaseOrderRefused(let id, let reason):
            "Purchase order \(id.rawValue) was withdrawn, because Inventory refused to count it as incoming: \(reason)."
        case .inventoryUnavailable(let what): "Inventory did not answer: \(what)."
        case .invalid(let reason, let field?): "The field \(field) \(reason)."
        case .invalid(let reason, nil): "The request is not valid: \(reason)."
        }
    }

    /// The member at fault, for ``invalid(_:field:)``.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        default: []
        }
    }

    /// A few seconds for ``inventoryUnavailable(_:)``, by when the background retry has usually finished.
    public var retryAfter: Duration? {
        switch self {
        case .inventoryUnavailable: .seconds(5)
        default: nil
        }
    }
}
