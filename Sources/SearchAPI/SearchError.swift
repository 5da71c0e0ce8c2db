public import ServiceKit

/// Why a search was refused.
public enum SearchError: ServiceFailure {
    /// The query cannot be run; the text says why.
    case invalidQuery(String)
}
