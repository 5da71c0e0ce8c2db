public import Commerce
public import ServiceKit

/// What the catalog answers when it cannot do what was asked.
public enum CatalogError: ServiceFailure {
    /// No product has this id.
    case productNotFound(ProductID)
    /// No category has this id.
    case categoryNotFound(CategoryID)
    /// Another product has this SKU.
    case duplicateSKU(String)
    /// A product with this id exists (a new product may name its id).
    case duplicateProductID(ProductID)
    /// The product changed since the caller read it.
    case versionConflict(expected: Int, actual: Int)
    /// The product or query is not acceptable: the text says why, worded to follow the field's name
    /// (`must be between 1 and 100`) when `field` names the member or parameter at fault (`limit`,
    /// `price.currency`), else as a clause of its own.
    case invalid(String, field: String? = nil)
    /// The cursor is not one the catalog issued.
    case invalidCursor

    /// `product-not-found`, `category-not-found`, `duplicate-sku`, `duplicate-product-id`, `version-conflict`,
    /// `validation-failed` or `invalid-cursor`.
    public var problemType: String {
        switch self {
        case .productNotFound: "product-not-found"
        case .categoryNotFound: "category-not-found"
        case .duplicateSKU: "duplicate-sku"
        case .duplicateProductID: "duplicate-product-id"
        case .versionConflict: "version-conflict"
        case .invalid: "validation-failed"
        case .invalidCursor: "invalid-cursor"
        }
    }

    /// A sentence saying what went wrong.
    public var detail: String {
        switch self {
        case .productNotFound(let id): "No product has the id \(id.rawValue)."
        case .categoryNotFound(let id): "No category has the id \(id.rawValue)."
        case .duplicateSKU(let sku): "Another product already has the SKU \(sku)."
        case .duplicateProductID(let id): "A product with the id \(id.rawValue) already exists."
        case .versionConflict(let expected, let actual):
            "The product changed since it was read: the request expects version \(expected), the product is at version \(actual)."
        case .invalid(let reason, let field?): "The field \(field) \(reason)."
        case .invalid(let reason, nil): "The request is not valid: \(reason)."
        case .invalidCursor: "The cursor is not one the catalog issued; ask for the first page without one."
        }
    }

    /// The field at fault, for ``invalid(_:field:)``, ``invalidCursor`` and ``categoryNotFound(_:)``.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        case .invalidCursor: [FieldError(field: "cursor", message: "is not a cursor the catalog issued")]
        case .categoryNotFound: [FieldError(field: "category", message: "names no category")]
        default: []
        }
    }
}
