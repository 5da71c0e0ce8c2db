import Synchronization

/// What a mock was called with, in order: a mock's closure records its argument here, and the test reads it back.
///
/// ```swift
/// let commits = CallRecorder<StockCommitment>()
/// inventory.onCommit = { commitment in commits.record(commitment); return committed }
/// #expect(commits.count == 1)
/// ```
public final class CallRecorder<Value: Sendable>: Sendable {
    private let calls = Mutex<[Value]>([])

    /// Nothing recorded yet.
    public init() {}

    /// Records one call.
    public func record(_ value: Value) {
        calls.withLock { $0.append(value) }
    }

    /// Every call, in order.
    public var values: [Value] { calls.withLock { $0 } }

    /// How many calls.
    public var count: Int { calls.withLock { $0.count } }
}
