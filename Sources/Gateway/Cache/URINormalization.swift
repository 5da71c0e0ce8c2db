import HTTP

/// Normalization of request paths and queries for cache keys and invalidation (RFC 3986 section 6.2.2):
/// percent-encoded unreserved characters are decoded, other escapes get upper-case hex digits, and empty path
/// segments are dropped the way the router ignores them, so `/items/%6Camp/` and `/items/lamp` share an entry
/// and one invalidation removes both.
enum URINormalization {
    /// `/` followed by the non-empty segments, each normalized.
    static func path(_ raw: some StringProtocol) -> String {
        let segments = raw.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + segments.map { component($0) }.joined(separator: "/")
    }

    /// The non-empty `&`-separated parameters, each normalized, sorted; empty when there are none.
    static func query(_ raw: some StringProtocol) -> String {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { component($0) }.sorted().joined(separator: "&")
    }

    /// One segment or parameter with its escapes normalized.
    static func component(_ raw: some StringProtocol) -> String {
        PercentEncoding.normalize(Substring(raw))
    }
}
