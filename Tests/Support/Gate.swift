import Synchronization

/// A gate handlers wait on until the test opens it; records how many arrived. It ignores cancellation, which
/// makes it a stand-in for work that does not stop when asked.
public final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrivals = 0
    }

    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// How many callers reached ``wait()`` so far.
    public var arrivals: Int { state.withLock { $0.arrivals } }

    /// Returns once the gate is open.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                state.arrivals += 1
                if state.isOpen { return true }
                state.waiting.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    /// Opens the gate for every current and future waiter.
    public func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
