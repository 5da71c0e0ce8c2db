/// Controlled delay (CoDel) for requests: whether a request that waited so long before its handler may go on.
///
/// While the server keeps up, a request may have waited up to `interval` (a burst is absorbed). Once every request
/// for `interval` has waited longer than `target`, and at least `minimumRequests` of them, a queue of requests stands
/// that the server is not working off, and from then on a request that waited longer than `target` is turned away,
/// until one waits less. A pause between requests longer than `interval` ends it too: the queue the last ones met has
/// had time to drain. The minimum keeps a few requests one after another from counting as a queue when what made them
/// wait was other work (a rebuild in the background): turning them away would not shorten it.
public struct ControlledDelay: Sendable {
    /// The wait a request may have once a queue stands.
    public let target: Duration
    /// How long the waits must stay over the target before a queue is said to stand, and the longest wait allowed
    /// before.
    public let interval: Duration
    /// How many requests over the target, at the fewest, make a queue.
    public let minimumRequests: Int
    /// Since when every request waited longer than the target; `nil` while the last one did not.
    private var overSince: ContinuousClock.Instant?
    /// How many requests came since then.
    private var overCount = 0
    private var lastRequest: ContinuousClock.Instant?

    /// - Parameters:
    ///   - target: The wait a request may have once a queue stands (5 ms in CoDel).
    ///   - interval: How long waits over `target` make a standing queue (100 ms in CoDel, for the internet's round
    ///     trips; tens of milliseconds for a server's requests).
    ///   - minimumRequests: How many requests over the target, at the fewest, make a queue.
    public init(target: Duration, interval: Duration, minimumRequests: Int = 1) {
        self.target = target
        self.interval = interval
        self.minimumRequests = minimumRequests
    }

    /// Whether requests that waited longer than the target are being turned away.
    public private(set) var congested = false

    /// Whether a request that waited `waited`, seen `now`, may go on.
    public mutating func admits(_ waited: Duration, at now: ContinuousClock.Instant) -> Bool {
        defer { lastRequest = now }
        if let lastRequest, now - lastRequest > interval { overSince = nil }
        guard waited > target else {
            overSince = nil
            congested = false
            return true
        }
        if overSince == nil {
            overSince = now
            overCount = 0
        }
        overCount += 1
        congested = now - overSince! >= interval && overCount >= minimumRequests
        return waited <= (congested ? target : interval)
    }
}
