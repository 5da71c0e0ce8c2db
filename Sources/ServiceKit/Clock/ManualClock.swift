import Synchronization

/// A ``ServiceClock`` that only moves when told to: the clock for tests and deterministic simulations.
///
/// Time stands still until ``advance(by:)`` or ``advance(to:)`` is called; that call resumes every
/// sleeper whose deadline has been reached, earliest deadline first (ties in the order they went to
/// sleep). Because a test usually has to advance *after* the code under test went to sleep,
/// ``waitForSleepers(count:)`` suspends until enough sleepers are registered — a condition, not a guess.
///
/// ```swift
/// let clock = ManualClock()
/// let call = Task { try await DeadlineTimer(clock: clock).withDeadline(.seconds(2)) { try await slowCall() } }
/// try await clock.waitForSleepers(count: 1)
/// clock.advance(by: .seconds(2))  // the deadline fires now, not two real seconds from now
/// ```
public final class ManualClock: ServiceClock, Sendable {
    private struct Sleeper {
        var id: UInt64
        var deadline: ServiceInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWaiter {
        var id: UInt64
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: ServiceInstant
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var sleeperWaiters: [SleeperWaiter] = []

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Removes and returns the waiters whose condition now holds.
        mutating func satisfiedSleeperWaiters() -> [SleeperWaiter] {
            let count = sleepers.count
            let satisfied = sleeperWaiters.filter { $0.count <= count }
            sleeperWaiters.removeAll { $0.count <= count }
            return satisfied
        }
    }

    private let state: Mutex<State>

    /// Creates a clock standing at `now`.
    public init(now: ServiceInstant = .origin) {
        state = Mutex(State(now: now))
    }

    /// The current instant; changes only through ``advance(by:)`` and ``advance(to:)``.
    public var now: ServiceInstant {
        state.withLock { $0.now }
    }

    /// Zero: a manual clock is exact.
    public var minimumResolution: Duration {
        .zero
    }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The earliest deadline any task is sleeping until, or `nil` when nobody sleeps.
    public var nextDeadline: ServiceInstant? {
        state.withLock { $0.sleepers.map(\.deadline).min() }
    }

    /// Suspends the current task until the clock is advanced to `deadline` or beyond.
    ///
    /// Returns at once when `deadline` is not in the future.
    /// - Throws: `CancellationError` when the task is cancelled first; the sleeper is then removed.
    public func sleep(until deadline: ServiceInstant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration {
                    case due
                    case cancelled
                    case sleeping([SleeperWaiter])
                }
                let registration = state.withLock { state -> Registration in
                    // Checked under the lock: a cancellation handler that already ran found nothing to remove.
                    if Task.isCancelled {
                        return .cancelled
                    }
                    if deadline <= state.now {
                        return .due
                    }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .sleeping(state.satisfiedSleeperWaiters())
                }
                switch registration {
                case .due:
                    continuation.resume()
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .sleeping(let waiters):
                    for waiter in waiters {
                        waiter.continuation.resume()
                    }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and resumes every sleeper that is now due.
    ///
    /// The woken tasks run afterwards, on their executors; all of them observe the new ``now``.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a ManualClock cannot go backwards")
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            return Self.removeDueSleepers(from: &state)
        }
        for sleeper in due {
            sleeper.continuation.resume()
        }
    }

    /// Moves the clock forward to `instant` and resumes every sleeper that is now due.
    ///
    /// Does nothing but wake due sleepers when `instant` is not later than ``now``.
    public func advance(to instant: ServiceInstant) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            return Self.removeDueSleepers(from: &state)
        }
        for sleeper in due {
            sleeper.continuation.resume()
        }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    ///
    /// Use it before ``advance(by:)`` so the code under test has reached its sleep.
    /// - Throws: `CancellationError` when the waiting task is cancelled (for example by a test time limit).
    public func waitForSleepers(count: Int = 1) async throws {
        try Task.checkCancellation()
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration {
                    case satisfied
                    case cancelled
                    case waiting
                }
                let registration = state.withLock { state -> Registration in
                    if Task.isCancelled {
                        return .cancelled
                    }
                    if state.sleepers.count >= count {
                        return .satisfied
                    }
                    state.sleeperWaiters.append(SleeperWaiter(id: id, count: count, continuation: continuation))
                    return .waiting
                }
                switch registration {
                case .satisfied:
                    continuation.resume()
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .waiting:
                    break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> SleeperWaiter? in
                guard let index = state.sleeperWaiters.firstIndex(where: { $0.id == id }) else {
                    return nil
                }
                return state.sleeperWaiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func removeDueSleepers(from state: inout State) -> [Sleeper] {
        let now = state.now
        let due = state.sleepers.filter { $0.deadline <= now }.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        state.sleepers.removeAll { $0.deadline <= now }
        return due
    }
}
