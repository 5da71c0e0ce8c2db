import HTTP

/// Normalization of request paths and queries for cache keys and invalidation (RFC 3986 section 6.2.2):
/// percent-encoded unreserved characters are decoded, other escapes get upper-case hex digits, and empty path
/// segments are dropped the way the router ignores them, so `/items/%6Camp/` and `/items/lamp` share an entry
/// and one invalidation removes both.
enum URINormalization {
    /// `/` followed by the non-empty segments, each normalized.
    static func path(_ raw: some StringProtocol) -> String {
        // Most paths are normal already (no escape, no empty segment): one scan, no splitting.
        if isNormalPath(raw.utf8) { return String(raw) }
        let segments = raw.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + segments.map { component($0) }.joined(separator: "/")
    }

    /// The non-empty `&`-separated parameters, each normalized, sorted; empty when there are none.
    static func query(_ raw: some StringProtocol) -> String {
        if isNormalQuery(raw) { return String(raw) }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { component($0) }.sorted().joined(separator: "&")
    }

    /// Whether `path` is what ``path(_:)`` makes of it: `/` and non-empty segments without escapes.
    private static func isNormalPath(_ path: some Collection<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        var previous: UInt8 = 0
        var count = 0
        for byte in path {
            if byte == UInt8(ascii: "%") || (byte == slash && previous == slash) || (count == 0 && byte != slash) { return false }
            previous = byte
            count += 1
        }
        return count == 1 || (count > 1 && previous != slash)
    }

    /// Whether `query` is what ``query(_:)`` makes of it: empty, or one non-empty parameter without escapes.
    private static func isNormalQuery(_ query: some StringProtocol) -> Bool {
        !query.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "&") }
    }

    /// One segment or parameter with its escapes normalized.
    static func component(_ raw: some StringProtocol) -> String {
        PercentEncoding.normalize(Substring(raw))
    }
}
