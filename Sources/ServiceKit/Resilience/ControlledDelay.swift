/// Controlled delay (CoDel) for requests: whether a request that waited so long before its handler may go on.
///
/// Time is judged in intervals, and each interval decides the next. While no queue stands, every request goes on,
/// however long it waited (a burst shorter than an interval is absorbed). When, over an interval, most requests (more
/// than half) waited longer than `target`, from at least `minimumSources` senders (connections), a queue stands that
/// the server is not working off, and through the next interval a request that waited longer than `target` is turned
/// away; the interval after that is judged again, the requests turned away counted too. A pause between requests
/// longer than `interval` ends it at once: the queue the last ones met has had time to drain.
///
/// Most requests, not all: when a server's requests come over many connections to a few event loops, their waits
/// spread from nothing (a request read the moment it came) to a whole round of the loop, so a few short waits do not
/// say that the queue has gone. The minimum of senders keeps a few clients' requests, one after another, from
/// counting as a queue when what made them wait was other work (a rebuild in the background, another process on the
/// machine): turning them away would not shorten it.
public struct ControlledDelay: Sendable {
    /// The wait a request may have once a queue stands.
    public let target: Duration
    /// How long one judgement lasts.
    public let interval: Duration
    /// How many senders of requests over the target, at the fewest, make a queue.
    public let minimumSources: Int
    /// When the current interval began; `nil` before the first request.
    private var intervalStart: ContinuousClock.Instant?
    private var requests = 0
    private var overTarget = 0
    /// The senders of the current interval's requests over the target, up to ``minimumSources``.
    private var overSources: Set<UInt64> = []
    private var lastRequest: ContinuousClock.Instant?

    /// - Parameters:
    ///   - target: The wait a request may have once a queue stands (5 ms in CoDel).
    ///   - interval: How long one judgement lasts (100 ms in CoDel, for the internet's round trips; tens of
    ///     milliseconds for a server's requests).
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
        if let lastRequest, now - lastRequest > interval {
            // Nothing came for a while: judged afresh, as the start of a burst.
            congested = false
            startInterval(at: now)
        } else if let intervalStart, now - intervalStart >= interval {
            congested = overTarget * 2 > requests && overSources.count >= minimumSources
            startInterval(at: now)
        } else if intervalStart == nil {
            startInterval(at: now)
        }
        requests += 1
        guard waited > target else { return true }
        overTarget += 1
        if overSources.count < minimumSources { overSources.insert(source) }
        return !congested
    }

    private mutating func startInterval(at now: ContinuousClock.Instant) {
        intervalStart = now
        requests = 0
        overTarget = 0
        overSources.removeAll(keepingCapacity: true)
    }
}
