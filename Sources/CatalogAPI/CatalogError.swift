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
    /// The product changed since the caller read it.
    case versionConflict(expected: Int, actual: Int)
    /// The product or query is not acceptable; the text says why.
    case invalid(String)
    /// The cursor is not one the catalog issued.
    case invalidCursor
}
