public import ServiceKit

// What each failure is called at the edge and says to a person. Kept apart from the enum so the API's file split
// and the wording of its problems can change independently.
extension SearchError {
    /// `invalid-query`.
    public var problemType: String {
        switch self {
        case .invalidQuery: "invalid-query"
        }
    }

    /// A sentence saying what is wrong with the query.
    public var detail: String {
        switch self {
        case .invalidQuery(let reason, _): "The search query is not valid: \(reason)."
        }
    }

    /// The query parameter at fault, when the failure names one.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalidQuery(let reason, let field?):
            // The reason names its field first ("limit must be …"); the field error's message follows the name.
            [FieldError(field: field, message: reason.hasPrefix(field + " ") ? String(reason.dropFirst(field.count + 1)) : reason)]
        case .invalidQuery: []
        }
    }
}
