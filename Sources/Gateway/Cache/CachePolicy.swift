/// Whether the gateway caches a route's responses.
public enum CachePolicy: Sendable, Hashable {
    /// Never cached; no `Cache-Control` is sent.
    case none
    /// `GET` responses are kept for `maxAge` (or until an event invalidates them) and sent with
    /// `Cache-Control: public, max-age=N`, a strong `ETag`, and `X-Cache: hit|miss`. Only for public routes.
    case publicCacheable(maxAge: Duration)
}

/// What an event removes from the response cache. Paths are written as in URLs (percent-encoded where needed)
/// and normalized like request paths.
public enum CacheInvalidation: Sendable, Hashable {
    /// Every entry for exactly this path, whatever its query: `/api/v1/products/42`, or the list
    /// `/api/v1/products` with all its pages.
    case path(String)
    /// Every entry whose path starts with these whole segments: `/api/v1/products` removes the list and every
    /// product, not `/api/v1/products-archive`.
    case prefix(String)
}
