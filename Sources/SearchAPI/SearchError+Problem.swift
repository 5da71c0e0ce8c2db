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
        case .invalidQuery(let reason): "The search query is not valid: \(reason)."
        }
    }
}
