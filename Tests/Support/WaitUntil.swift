/// A condition that did not come true before its deadline.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public let what: String
    public var description: String { "timed out waiting until \(what)" }
}

/// Waits until `condition` holds, checking every couple of milliseconds, or throws after `timeout`.
/// This is how tests synchronise with background work: on a condition with a deadline, never on a bare sleep.
///
/// The default deadline is generous because it only bounds a failure: the whole suite starts at once on a
/// two-core machine, so work that takes 30 ms alone (600 outbox events through the bus) has taken 8–10 s of wall
/// time in a full run, queued behind every other test's tasks.
public func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    guard try await poll(timeout: timeout, condition) else { throw ConditionTimedOut(what: what) }
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held, for `#expect(await waitUntil(...))`.
public func waitUntil(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    (try? await poll(timeout: timeout, condition)) ?? false
}

private func poll(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(2))
    }
    return try await condition()
}
