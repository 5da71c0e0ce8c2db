import Synchronization

/// The route patterns whose requests get no server span, shared by the gateway (which adds them as routes are
/// declared) and its edge middleware (which reads them per request).
final class UntracedRoutes: Sendable {
    private let patterns = Mutex<Set<String>>([])

    func insert(_ pattern: String) {
        patterns.withLock { _ = $0.insert(pattern) }
    }

    func contains(_ pattern: String) -> Bool {
        patterns.withLock { $0.contains(pattern) }
    }
}
