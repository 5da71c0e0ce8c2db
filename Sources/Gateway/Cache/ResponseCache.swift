public import ServiceKit
import Synchronization

/// Responses of public `GET` routes, by normalized method, path and query; bounded, least recently used
/// evicted first, expiring after their `max-age`, and removed by ``CacheInvalidation``s. Concurrent misses for
/// one key are coalesced: one request calls the service, the others wait for its response.
public final class ResponseCache: Sendable {
    /// One cached representation.
    public struct Entry: Sendable, Hashable {
        /// The path it answers, normalized (``ResponseCache/normalizedPath(_:)``), without the query; what
        /// invalidations match.
        public var path: String
        /// The status of the cached response.
        public var status: Int
        /// Its `Content-Type`.
        public var contentType: String
        /// Its body.
        public var body: [UInt8]
        /// Its strong entity tag, quoted.
        public var etag: String
        /// When it stops being served.
        public var expires: ServiceInstant

        /// Creates an entry.
        /// - Parameters:
        ///   - path: The path it answers, without the query.
        ///   - status: The response status.
        ///   - contentType: The `Content-Type`.
        ///   - body: The body.
        ///   - etag: The strong entity tag, quoted.
        ///   - expires: When it stops being served.
        public init(path: String, status: Int, contentType: String, body: [UInt8], etag: String, expires: ServiceInstant) {
            self.path = path
            self.status = status
            self.contentType = contentType
            self.body = body
            self.etag = etag
            self.expires = expires
        }
    }

    /// An entry in the recency list: a doubly linked list threaded through an array, most recent at `head`.
    private struct Node {
        var key: String
        var entry: Entry
        var previous: Int
        var next: Int
    }

    /// The entries, by key, in recency order; every operation is O(1) except invalidation, which scans.
    private struct State {
        var index: [String: Int] = [:]
        var nodes: [Node] = []
        var free: [Int] = []
        var head = -1
        var tail = -1

        mutating func unlink(_ node: Int) {
            let (previous, next) = (nodes[node].previous, nodes[node].next)
            if previous >= 0 { nodes[previous].next = next } else { head = next }
            if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        }

        mutating func pushFront(_ node: Int) {
            nodes[node].previous = -1
            nodes[node].next = head
            if head >= 0 { nodes[head].previous = node }
            head = node
            if tail < 0 { tail = node }
        }

        mutating func touch(_ node: Int) {
            guard head != node else { return }
            unlink(node)
            pushFront(node)
        }

        mutating func remove(_ node: Int) {
            unlink(node)
            index[nodes[node].key] = nil
            nodes[node].key = ""
            nodes[node].entry.body = []
            free.append(node)
        }

        mutating func insert(_ entry: Entry, key: String) {
            let node = Node(key: key, entry: entry, previous: -1, next: -1)
            let slot: Int
            if let reused = free.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            index[key] = slot
            pushFront(slot)
        }
    }

    /// The most entries kept.
    public let capacity: Int
    private let clock: any ServiceClock
    private let state = Mutex(State())
    /// Misses being fetched, so concurrent misses for one key call the service once.
    let misses = SingleFlight<Fetch>()

    /// What a miss fetched: an entry now in the cache, or a response not to cache (not 200).
    enum Fetch: Sendable {
        case entry(Entry)
        case uncached(status: Int, body: [UInt8])
    }

    /// How many requests are waiting for a miss of the same key that another request is fetching, for tests of
    /// coalescing.
    package var coalescedWaiters: Int { misses.waiting }

    /// Creates an empty cache.
    /// - Parameters:
    ///   - capacity: The most entries kept.
    ///   - clock: Where time comes from, for expiry.
    public init(capacity: Int = 10_000, clock: any ServiceClock) {
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// The cache key of a request: `GET` (for `HEAD` too), the normalized path, and the query's parameters
    /// normalized and sorted, so `?b=2&a=1` and `?a=1&b=2` share an entry, as do `/items/%6Camp/` and
    /// `/items/lamp`.
    /// - Parameters:
    ///   - path: The request path, as sent.
    ///   - query: The query, as sent.
    public static func key(path: Substring, query: Substring?) -> String {
        let path = normalizedPath(path)
        guard let query else { return "GET " + path }
        let normalized = URINormalization.query(query)
        return normalized.isEmpty ? "GET " + path : "GET " + path + "?" + normalized
    }

    /// The path as entries record it and invalidations compare it: escapes of unreserved characters decoded,
    /// other escapes in upper case, empty segments dropped.
    /// - Parameter path: A path as sent, or as an invalidation names it.
    public static func normalizedPath(_ path: some StringProtocol) -> String {
        URINormalization.path(path)
    }

    /// The live entry under `key`, marked as used.
    /// - Parameter key: A key from ``key(path:query:)``.
    public func lookup(_ key: String) -> Entry? {
        let now = clock.now
        return state.withLock { state in
            guard let node = state.index[key] else { return nil }
            guard now < state.nodes[node].entry.expires else {
                state.remove(node)
                return nil
            }
            state.touch(node)
            return state.nodes[node].entry
        }
    }

    /// Stores `entry` under `key`, evicting the least recently used entry when full.
    /// - Parameters:
    ///   - entry: The entry.
    ///   - key: Its key.
    public func store(_ entry: Entry, under key: String) {
        state.withLock { state in
            if let node = state.index[key] {
                state.nodes[node].entry = entry
                state.touch(node)
                return
            }
            if state.index.count >= capacity, state.tail >= 0 { state.remove(state.tail) }
            state.insert(entry, key: key)
        }
    }

    /// Removes the entries `invalidations` name; their paths are normalized like request paths first.
    /// - Parameter invalidations: Paths and prefixes.
    /// - Returns: How many entries were removed.
    @discardableResult
    public func invalidate(_ invalidations: [CacheInvalidation]) -> Int {
        guard !invalidations.isEmpty else { return 0 }
        var paths: Set<String> = []
        var prefixes: [String] = []
        for invalidation in invalidations {
            switch invalidation {
            case .path(let path): paths.insert(Self.normalizedPath(path))
            case .prefix(let prefix): prefixes.append(Self.normalizedPath(prefix))
            }
        }
        return state.withLock { state in
            let doomed = state.index.values.filter { node in
                let path = state.nodes[node].entry.path
                if paths.contains(path) { return true }
                // Whole segments only: `/products` removes `/products/7`, not `/products-archive`.
                return prefixes.contains { prefix in
                    prefix == "/" || path == prefix || (path.hasPrefix(prefix) && path.utf8.dropFirst(prefix.utf8.count).first == UInt8(ascii: "/"))
                }
            }
            for node in doomed { state.remove(node) }
            return doomed.count
        }
    }

    /// The number of entries held, expired ones included until they are looked up.
    public var count: Int { state.withLock { $0.index.count } }
}

extension ResponseCache {
    /// The current instant of the cache's clock, for computing expiry.
    var now: ServiceInstant { clock.now }
}
