public import Commerce
public import ServiceKit

/// What the cart answers when it cannot do what was asked.
public enum CartError: ServiceFailure {
    /// The cart changed since the version the client sent (`If-Match`): read it again.
    case versionConflict(expected: Int, actual: Int)
    /// No product has this id.
    case productNotFound(ProductID)
    /// The product is off sale and cannot be added.
    case productOffSale(ProductID)
    /// The cart has no line for the product.
    case lineNotFound(ProductID)
    /// A cart holds at most this many different products.
    case tooManyLines(limit: Int)
    /// The request is not acceptable; the text says why and `field` names the member at fault.
    case invalid(String, field: String? = nil)

    /// `version-conflict`, `product-not-found`, `product-off-sale`, `cart-line-not-found`, `cart-full` or
    /// `validation-failed`.
    public var problemType: String {
        switch self {
        case .versionConflict: "version-conflict"
        case .productNotFound: "product-not-found"
        case .productOffSale: "product-off-sale"
        case .lineNotFound: "cart-line-not-found"
        case .tooManyLines: "cart-full"
        case .invalid: "validation-failed"
        }
    }

    /// A sentence.
    public var detail: String {
        switch self {
        case .versionConflict(let expected, let actual):
            "The cart changed since version \(expected) (it is at version \(actual) now); read it again and retry."
        case .productNotFound(let id): "No product has the id \(id.rawValue)."
        case .productOffSale(let id): "Product \(id.rawValue) is no longer on sale."
        case .lineNotFound(let id): "The cart has no line for product \(id.rawValue)."
        case .tooManyLines(let limit): "A cart holds at most \(limit) different products."
        case .invalid(let reason, _): "The request is not valid: \(reason)."
        }
    }

    /// The member at fault.
    public var fieldErrors: [FieldError] {
        if case .invalid(let reason, let field?) = self { return [FieldError(field: field, message: reason)] }
        return []
    }
}
