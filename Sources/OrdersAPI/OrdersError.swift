public import Commerce
public import CustomersAPI
public import ServiceKit

/// What Orders answers when it cannot do what was asked.
public enum OrdersError: ServiceFailure {
    /// No order has this id; also the answer for another customer's order, so existence is never revealed.
    case orderNotFound(OrderID)
    /// The cart holds nothing to buy.
    case emptyCart
    /// Some cart lines cannot be bought now (off sale, or more than is available): their products.
    case cartNotPurchasable([ProductID])
    /// The order cannot be cancelled in its status (pending: its checkout is still deciding; shipped or later).
    case notCancellable(OrderID, OrderStatus)
    /// The order cannot take a return in its status (only delivered orders can).
    case notReturnable(OrderID, OrderStatus)
    /// The return's lines ask for products the order did not buy, or more units than were bought and not yet
    /// returned; the text says which.
    case returnRefused(OrderID, reason: String)
    /// The customer has no saved address with this id.
    case addressNotFound(AddressID)
    /// The request is not acceptable; the text says why and `field` names the member at fault.
    case invalid(String, field: String? = nil)
    /// The shipping address is not valid: every field at fault, under `shippingAddress.`.
    case invalidAddress([FieldError])

    /// `order-not-found`, `cart-empty`, `cart-not-purchasable`, `order-not-cancellable`, `return-refused`,
    /// `address-not-found` or `validation-failed`.
    public var problemType: String {
        switch self {
        case .orderNotFound: "order-not-found"
        case .emptyCart: "cart-empty"
        case .cartNotPurchasable: "cart-not-purchasable"
        case .notCancellable: "order-not-cancellable"
        case .notReturnable, .returnRefused: "return-refused"
        case .addressNotFound: "address-not-found"
        case .invalid, .invalidAddress: "validation-failed"
        }
    }

    /// A sentence saying what went wrong and, where it helps, what to do.
    public var detail: String {
        switch self {
        case .orderNotFound(let id): "No order has the id \(id.rawValue)."
        case .emptyCart: "Your cart is empty: add something to it before checking out."
        case .cartNotPurchasable(let products):
            "Some items in your cart cannot be bought now (\(products.map(\.rawValue).joined(separator: ", "))): "
                + "they are off sale or not available in that quantity; change your cart and try again."
        case .notCancellable(let id, let status):
            status == .pending
                ? "Order \(id.rawValue) is still being checked out and cannot be cancelled yet; try again in a moment."
                : "Order \(id.rawValue) is \(status.rawValue) and can no longer be cancelled."
        case .notReturnable(let id, let status):
            "Order \(id.rawValue) is \(status.rawValue); only a delivered order can be returned."
        case .returnRefused(let id, let reason): "The return for order \(id.rawValue) was refused: \(reason)."
        case .addressNotFound(let id): "Your address book has no address with the id \(id.rawValue)."
        case .invalid(let reason, let field?): "The field \(field) \(reason)."
        case .invalid(let reason, nil): "The request is not valid: \(reason)."
        case .invalidAddress(let errors):
            "The shipping address is not valid: " + errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ") + "."
        }
    }

    /// The members at fault, for validation failures.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        case .invalidAddress(let errors): errors
        case .cartNotPurchasable(let products): products.map { FieldError(field: "cart.lines[\($0.rawValue)]", message: "cannot be bought now") }
        default: []
        }
    }

    /// The error for an address that `Address.validated()` refused: its fields under `shippingAddress.`.
    public static func shippingAddress(_ error: CustomersError) -> OrdersError {
        .invalidAddress(error.fieldErrors.map { FieldError(field: "shippingAddress.\($0.field)", message: $0.message) })
    }
}
