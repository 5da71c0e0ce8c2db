public import ServiceKit
import Synchronization

/// Token buckets per client key and rate-limit class, in bounded memory.
///
/// When more than `maxBuckets` buckets exist, buckets that have refilled completely (idle clients) are dropped;
/// if that is not enough, the least recently used half goes. A dropped bucket comes back full, which is what an
/// idle client's bucket would be anyway.
public final class RateLimiter: Sendable {
    private struct Key: Hashable {
        var policy: String
        var client: String
    }

    /// The classes, by name.
    public let policies: [String: RateLimitPolicy]
    /// The most buckets kept.
    public let maxBuckets: Int
    private let clock: any ServiceClock
    private let buckets = Mutex<[Key: TokenBucket]>([:])

    /// Creates a limiter.
    /// - Parameters:
    ///   - policies: The rate-limit classes.
    ///   - maxBuckets: The most buckets kept in memory.
    ///   - clock: Where time comes from.
    public init(policies: [RateLimitPolicy], maxBuckets: Int = 100_000, clock: any ServiceClock) {
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.maxBuckets = max(1, maxBuckets)
        self.clock = clock
    }

    /// Takes a token from `client`'s bucket of class `policy`.
    /// - Parameters:
    ///   - client: The client key: the principal's subject, else the remote address.
    ///   - policy: The class name; an unknown class does not limit (`nil`).
    public func take(client: String, policy: String) -> (RateLimitPolicy, TokenBucket.Decision)? {
        guard let limits = policies[policy] else { return nil }
        let now = clock.now
        let decision = buckets.withLock { buckets in
            let key = Key(policy: policy, client: client)
            if buckets[key] == nil, buckets.count >= maxBuckets { Self.evict(&buckets, now: now, keep: maxBuckets) }
            var bucket = buckets[key] ?? TokenBucket(capacity: limits.limit, window: limits.window, now: now)
            let decision = bucket.take(now: now)
            buckets[key] = bucket
            return decision
        }
        return (limits, decision)
    }

    /// The number of buckets held, for tests of eviction.
    package var bucketCount: Int { buckets.withLock { $0.count } }

    private static func evict(_ buckets: inout [Key: TokenBucket], now: ServiceInstant, keep: Int) {
        buckets = buckets.filter { !$0.value.isIdle(now: now) }
        guard buckets.count >= keep else { return }
        let victims = buckets.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(buckets.count - keep / 2)
        for (key, _) in victims { buckets[key] = nil }
    }
}
