/// A rate-limit class: how many requests a client may make in a window, refilled continuously.
///
/// The gateway sends the policy in the headers of draft-ietf-httpapi-ratelimit-headers-09 (structured-field
/// lists naming the policy): `RateLimit-Policy: "default";q=100;w=60` on every limited response, and
/// `RateLimit: "default";r=42;t=3` with the remaining quota and the seconds until the bucket is full again.
public struct RateLimitPolicy: Sendable, Hashable {
    /// The class's name, the policy item's key in the headers (`"default"`).
    public var name: String
    /// The quota: requests allowed in one window, also the burst size.
    public var limit: Int
    /// The window the quota applies to.
    public var window: Duration

    /// Creates a policy.
    /// - Parameters:
    ///   - name: The class's name.
    ///   - limit: Requests per window; at least 1.
    ///   - window: The window; positive.
    public init(name: String, limit: Int, window: Duration) {
        precondition(limit >= 1, "a rate limit allows at least one request")
        precondition(window > .zero, "a rate-limit window is positive")
        self.name = name
        self.limit = limit
        self.window = window
    }

    /// `"name";q=limit;w=seconds`, the item of `RateLimit-Policy`.
    var policyField: String {
        "\"\(name)\";q=\(limit);w=\(TokenBucket.ceilSeconds(window))"
    }
}
