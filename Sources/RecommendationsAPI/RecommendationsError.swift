public import Commerce
public import ServiceKit

/// What Recommendations answers when it cannot do what was asked.
public enum RecommendationsError: ServiceFailure {
    /// No product has this id: neither Recommendations' copy of the catalog nor the catalog knows it.
    case productNotFound(ProductID)
    /// The query cannot be run; the text says why, worded to follow `field` when it names the member or query
    /// parameter at fault (`limit`).
    case invalidQuery(String, field: String? = nil)

    /// `product-not-found` or `invalid-query`.
    public var problemType: String {
        switch self {
        case .productNotFound: "product-not-found"
        case .invalidQuery: "invalid-query"
        }
    }

    /// A sentence saying what went wrong.
    public var detail: String {
        switch self {
        case .productNotFound(let id): "No product has the id \(id.rawValue)."
        case .invalidQuery(let reason, let field?): "The recommendations query is not valid: \(field) \(reason)."
        case .invalidQuery(let reason, nil): "The recommendations query is not valid: \(reason)."
        }
    }

    /// The member at fault, for a query naming one.
    public var fieldErrors: [FieldError] {
        if case .invalidQuery(let reason, let field?) = self { return [FieldError(field: field, message: reason)] }
        return []
    }
}
