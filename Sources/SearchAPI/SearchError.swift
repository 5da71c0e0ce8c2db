public import ServiceKit

/// Why a search was refused.
public enum SearchError: ServiceFailure {
    /// The query cannot be run; the text says why, and `field` names the query parameter at fault (`q`, `limit`,
    /// `offset`) when there is one.
    case invalidQuery(String, field: String? = nil)
}
