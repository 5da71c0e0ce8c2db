import Synchronization

/// Counts outstanding deliveries and resumes one waiter when all are done.
final class Acknowledgement: Sendable {
    private struct State {
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(expecting count: Int) {
        state = Mutex(State(remaining: count, waiter: nil))
    }

    /// One delivery finished (handled, or dead-lettered).
    func done() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.remaining -= 1
            guard state.remaining == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Resumes the waiter early (its task was cancelled); the deliveries still count down harmlessly.
    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.remaining = Int.min / 2
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until every expected delivery is done.
    func wait() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> Bool in
                if state.remaining <= 0 { return true }
                state.waiter = continuation
                return false
            }
            if finished { continuation.resume() }
        }
    }
}
