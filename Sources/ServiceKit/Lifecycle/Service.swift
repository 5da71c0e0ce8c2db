/// Long-running work with a lifetime: a relay, a bus, an HTTP server, a heartbeat loop.
///
/// Everything a service does over time happens inside ``run()``, never in a task started from an initializer
/// (the shape of swift-service-lifecycle). `run()` returns, or throws `CancellationError`, when its task is
/// cancelled: that is how a ``ServiceGroup`` stops it.
public protocol Service: Sendable {
    /// A short name for logs and the dashboard.
    var name: String { get }
    /// Does the service's work until the task is cancelled.
    func run() async throws
}
