import Synchronization

/// Runs one piece of work per key at a time: callers that arrive while it runs wait for its result instead of
/// repeating it. The response cache uses it so that a burst of misses for one key (after an invalidation, say)
/// calls the service once.
final class SingleFlight<Value: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Result<Value, any Error>?, Never>

    private let flights = Mutex<[String: [Waiter]]>([:])

    /// How many callers are waiting on work another caller runs.
    var waiting: Int { flights.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// The result of `work` for `key`: run now, or shared with the caller already running it.
    /// - Returns: The result and whether this caller ran the work.
    func run(_ key: String, _ work: () async throws -> Value) async -> (result: Result<Value, any Error>, ran: Bool) {
        let leads = flights.withLock { flights in
            guard flights[key] == nil else { return false }
            flights[key] = []
            return true
        }
        if !leads {
            let shared: Result<Value, any Error>? = await withCheckedContinuation { continuation in
                let joined = flights.withLock { flights in
                    guard flights[key] != nil else { return false }
                    flights[key]?.append(continuation)
                    return true
                }
                // The work ended between the two locks: run it again rather than wait for nothing.
                if !joined { continuation.resume(returning: nil) }
            }
            if let shared { return (shared, false) }
        }
        let result: Result<Value, any Error>
        do {
            result = .success(try await work())
        } catch {
            result = .failure(error)
        }
        let waiters = flights.withLock { flights in
            // A caller that found no flight after the first lock ran without registering one: nothing to remove.
            leads ? flights.removeValue(forKey: key) ?? [] : []
        }
        for waiter in waiters { waiter.resume(returning: result) }
        return (result, true)
    }
}
