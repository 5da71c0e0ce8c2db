/// Runs `operation` with a time limit: if it has not finished `timeout` after the call, it is cancelled
/// and ``ResilienceError`` with code ``ResilienceError/Code/timeout`` is thrown.
///
/// The operation runs in a child task racing a sleep on `clock`; whichever finishes first wins and the
/// other is cancelled. `withDeadline` returns only after both child tasks have ended, so nothing outlives
/// the call — which also means an operation that ignores cancellation delays the timeout error until it
/// returns.
///
/// ```swift
/// let product = try await withDeadline(.seconds(2), clock: clock, endpoint: "catalog.product") {
///     try await catalog.product(id)
/// }
/// ```
///
/// - Parameters:
///   - timeout: The time limit, measured on `clock` from now.
///   - clock: Where time comes from; a ``ManualClock`` fires the timeout when advanced past it.
///   - endpoint: The endpoint's name, carried by the error.
///   - operation: The work to limit; it should stop promptly when cancelled.
/// - Throws: ``ResilienceError`` (``ResilienceError/Code/timeout``) when the time limit passes first,
///   otherwise whatever `operation` throws.
public func withDeadline<Success: Sendable>(
    _ timeout: Duration,
    clock: some ServiceClock,
    endpoint: String? = nil,
    isolation: isolated (any Actor)? = #isolation,
    operation: @escaping @Sendable () async throws -> Success
) async throws -> Success {
    let deadline = clock.now.advanced(by: timeout)
    return try await withThrowingTaskGroup(of: Success.self, returning: Success.self, isolation: isolation) { group in
        group.addTask(operation: operation)
        group.addTask {
            try await clock.sleep(until: deadline)
            throw ResilienceError.timeout(endpoint: endpoint, after: timeout)
        }
        defer {
            group.cancelAll()
        }
        guard let first = try await group.next() else {
            preconditionFailure("a task group with two child tasks returned no result")
        }
        return first
    }
}
