/// Controlled delay (CoDel) for requests: whether a request that waited so long before its handler may go on.
///
/// While the server keeps up, a request may have waited up to `interval` (a burst is absorbed). Once every request
/// for `interval` has waited longer than `target`, a queue stands that the server is not working off, and from then
/// on a request that waited longer than `target` is turned away, until one waits less. A pause between requests
/// longer than `interval` ends it too: the queue the last ones met has had time to drain.
public struct ControlledDelay: Sendable {
    /// The wait a request may have once a queue stands.
    public let target: Duration
    /// How long the waits must stay over the target before a queue is said to stand, and the longest wait allowed
    /// before.
    public let interval: Duration
    /// Since when every request waited longer than the target; `nil` while the last one did not.
    private var overSince: ContinuousClock.Instant?
    private var lastRequest: ContinuousClock.Instant?

    /// - Parameters:
    ///   - target: The wait a request may have once a queue stands (5 ms in CoDel).
    ///   - interval: How long waits over `target` make a standing queue (100 ms in CoDel).
    public init(target: Duration, interval: Duration) {
        self.target = target
        self.interval = interval
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
        let since = overSince ?? now
        overSince = since
        congested = now - since >= interval
        return waited <= (congested ? target : interval)
    }
}
