import Testing

struct ConditionTimedOut: Error {}

/// Waits, yielding to other tasks, until `condition` holds; fails the test if it still does not hold after
/// `limit` of real time. A condition with a deadline, never a fixed sleep.
func eventually(
    _ description: Comment,
    within limit: Duration = .seconds(10),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while !condition() {
        if ContinuousClock.now >= deadline {
            Issue.record("timed out waiting until \(description)", sourceLocation: sourceLocation)
            throw ConditionTimedOut()
        }
        await Task.yield()
    }
}
