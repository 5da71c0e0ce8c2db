public import Commerce
public import ServiceKit

/// What Inventory answers when it cannot do what was asked.
public enum InventoryError: ServiceFailure {
    /// A line cannot be held: what was asked and what is available, per short line.
    case insufficientStock([ShortLine])
    /// No reservation exists for the order.
    case reservationNotFound(OrderID)
    /// The reservation is not held any more (committed, released or expired), so it cannot be extended or
    /// committed; its status says what happened.
    case reservationNotHeld(OrderID, Reservation.Status)
    /// No warehouse has this id.
    case warehouseNotFound(WarehouseID)
    /// An adjustment would leave fewer units on hand than are reserved, or fewer than none.
    case adjustmentBelowReserved(ProductID, WarehouseID, onHand: Int, reserved: Int)
    /// The request is not acceptable; the text says why and `field` names the member at fault.
    case invalid(String, field: String? = nil)

    /// A line the warehouses cannot hold in full.
    public struct ShortLine: Codable, Sendable, Hashable {
        /// The product.
        public var productId: ProductID
        /// Units asked for.
        public var requested: Int
        /// Units available in all warehouses together.
        public var available: Int

        /// Creates the value.
        public init(productId: ProductID, requested: Int, available: Int) {
            self.productId = productId
            self.requested = requested
            self.available = available
        }
    }

    /// `insufficient-stock`, `reservation-not-found`, `reservation-not-held`, `warehouse-not-found`,
    /// `adjustment-below-reserved` or `validation-failed`.
    public var problemType: String {
        switch self {
        case .insufficientStock: "insufficient-stock"
        case .reservationNotFound: "reservation-not-found"
        case .reservationNotHeld: "reservation-not-held"
        case .warehouseNotFound: "warehouse-not-found"
        case .adjustmentBelowReserved: "adjustment-below-reserved"
        case .invalid: "validation-failed"
        }
    }

    /// A sentence naming what is short and what is left, or what else went wrong.
    public var detail: String {
        switch self {
        case .insufficientStock(let lines):
            let parts = lines.map { line in
                "\(line.productId.rawValue): \(line.requested) requested, \(line.available == 0 ? "none" : "only \(line.available)") available"
            }
            return "Not enough stock for \(lines.count == 1 ? "one line" : "\(lines.count) lines"): \(parts.joined(separator: "; "))."
        case .reservationNotFound(let order): return "No stock is reserved for order \(order.rawValue)."
        case .reservationNotHeld(let order, let status): return "The reservation of order \(order.rawValue) is \(status.rawValue), not held."
        case .warehouseNotFound(let warehouse): return "No warehouse has the id \(warehouse.rawValue)."
        case .adjustmentBelowReserved(let product, let warehouse, let onHand, let reserved):
            return "The adjustment would leave \(onHand) of \(product.rawValue) on hand in \(warehouse.rawValue), "
                + "but \(reserved) \(reserved == 1 ? "is" : "are") reserved and stock cannot go below that."
        case .invalid(let reason, _): return "The request is not valid: \(reason)."
        }
    }

    /// The short lines, one field error each (`lines.<index>`-free: named by product), or the invalid member.
    public var fieldErrors: [FieldError] {
        switch self {
        case .insufficientStock(let lines):
            lines.map { FieldError(field: "lines[\($0.productId.rawValue)]", message: "only \($0.available) available of \($0.requested) requested") }
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        default: []
        }
    }
}
