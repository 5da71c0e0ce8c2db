/// Controlled delay (CoDel) for requests: whether a request that waited so long before its handler may go on.
///
/// While no queue stands, every request goes on, however long it waited (a burst is absorbed). Once every request
/// for `interval` has waited longer than `target`, from at least `minimumSources` senders (connections), a queue of
/// requests stands that the server is not working off, and from then on a request that waited longer than `target` is
/// turned away, until one waits less. A pause between requests longer than `interval` ends it too: the queue the last
/// ones met has had time to drain. The minimum keeps a few clients' requests, one after another, from counting as a
/// queue when what made them wait was other work (a rebuild in the background, another process on the machine):
/// turning them away would not shorten it.
public struct ControlledDelay: Sendable {
    /// The wait a request may have once a queue stands.
    public let target: Duration
    /// How long the waits must stay over the target before a queue is said to stand.
    public let interval: Duration
    /// How many senders of requests over the target, at the fewest, make a queue.
    public let minimumSources: Int
    /// Since when every request waited longer than the target; `nil` while the last one did not.
    private var overSince: ContinuousClock.Instant?
    /// The senders of the requests since then, up to ``minimumSources``.
    private var overSources: Set<UInt64> = []
    private var lastRequest: ContinuousClock.Instant?

    /// - Parameters:
    ///   - target: The wait a request may have once a queue stands (5 ms in CoDel).
    ///   - interval: How long waits over `target` make a standing queue (100 ms in CoDel, for the internet's round
    ///     trips; tens of milliseconds for a server's requests).
    ///   - minimumSources: How many senders of requests over the target, at the fewest, make a queue.
    public init(target: Duration, interval: Duration, minimumSources: Int = 1) {
        self.target = target
        self.interval = interval
        self.minimumSources = minimumSources
    }

    /// Whether requests that waited longer than the target are being turned away.
    public private(set) var congested = false

    /// Whether a request from `source` (a connection) that waited `waited`, seen `now`, may go on.
    public mutating func admits(_ waited: Duration, from source: UInt64 = 0, at now: ContinuousClock.Instant) -> Bool {
        defer { lastRequest = now }
        if let lastRequest, now - lastRequest > interval { overSince = nil }
        guard waited > target else {
            overSince = nil
            congested = false
            return true
        }
        if overSince == nil {
            overSince = now
            overSources.removeAll(keepingCapacity: true)
        }
        if overSources.count < minimumSources { overSources.insert(source) }
        congested = now - overSince! >= interval && overSources.count >= minimumSources
        return !congested || waited <= target
    }
}
