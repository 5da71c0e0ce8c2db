import Synchronization

/// Time limits for many concurrent operations, on one shared timer.
///
/// ``withDeadline(_:endpoint:operation:)`` runs the operation in a child task and returns when it finishes or
/// when the deadline passes, whichever comes first. At the deadline the caller gets a
/// ``ResilienceError/Code/timeout`` error at once, and the operation is cancelled and left to wind down on its
/// own, as a request already sent over a network would be. Cancelling the caller cancels the operation.
///
/// Deadlines cost a dictionary entry each: one sleeping task per timer waits for the earliest deadline, instead of
/// a sleep per operation, which measured about 12 µs per call in the call pipeline.
///
/// ```swift
/// let timer = DeadlineTimer(clock: SystemClock())
/// let product = try await timer.withDeadline(.seconds(2), endpoint: "catalog.product") { try await fetch() }
/// ```
public final class DeadlineTimer: Sendable {
    private struct State {
        var actions: [UInt64: (deadline: ServiceInstant, fire: @Sendable () -> Void)] = [:]
        var nextID: UInt64 = 0
        var sleeperTarget: ServiceInstant?
        var sleeper: Task<Void, Never>?
    }

    /// Where time comes from; a ``ManualClock`` fires deadlines when advanced past them.
    public let clock: any ServiceClock
    private let state = Mutex(State())

    /// Creates a timer on `clock`.
    public init(clock: any ServiceClock = SystemClock()) {
        self.clock = clock
    }

    deinit {
        state.withLock { $0.sleeper?.cancel() }
    }

    /// Runs `operation` with a time limit.
    /// - Throws: ``ResilienceError`` with code ``ResilienceError/Code/timeout`` when the deadline passes first,
    ///   `CancellationError` when the caller is cancelled, otherwise what `operation` throws.
    public func withDeadline<Success: Sendable>(
        _ timeout: Duration,
        endpoint: String? = nil,
        operation: @escaping @Sendable () async throws -> Success
    ) async throws -> Success {
        let deadline = clock.now.advanced(by: timeout)
        let race = Race<Success>()
        defer { race.timerID.map(cancel) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation) {
                    Task {
                        do {
                            race.finish(.success(try await operation()))
                        } catch {
                            race.finish(.failure(error))
                        }
                    }
                }
                race.timerID = schedule(at: deadline) {
                    race.finish(.failure(ResilienceError.timeout(endpoint: endpoint, after: timeout)))
                    race.cancelChild()
                }
            }
        } onCancel: {
            race.cancelChild()
        }
    }

    // MARK: - The timer

    /// Calls `fire` at `deadline` unless cancelled first.
    func schedule(at deadline: ServiceInstant, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, replaced) = state.withLock { state -> (UInt64, Task<Void, Never>?) in
            state.nextID += 1
            state.actions[state.nextID] = (deadline, fire)
            guard state.sleeperTarget.map({ deadline < $0 }) ?? true else { return (state.nextID, nil) }
            // Only a deadline earlier than the one being waited for needs a new sleeper.
            let old = state.sleeper
            state.sleeperTarget = deadline
            state.sleeper = sleeper(until: deadline)
            return (state.nextID, old)
        }
        replaced?.cancel()
        return id
    }

    /// Forgets a deadline; the sleeper, if any, wakes as planned and finds nothing due.
    func cancel(_ id: UInt64) {
        _ = state.withLock { $0.actions.removeValue(forKey: id) }
    }

    private func sleeper(until target: ServiceInstant) -> Task<Void, Never> {
        let clock = clock
        return Task { [weak self] in
            do {
                try await clock.sleep(until: target, tolerance: nil)
            } catch {
                return
            }
            self?.fireDue()
        }
    }

    private func fireDue() {
        let now = clock.now
        let due = state.withLock { state -> [@Sendable () -> Void] in
            var due: [@Sendable () -> Void] = []
            var earliest: ServiceInstant?
            for (id, entry) in state.actions {
                if entry.deadline <= now {
                    due.append(entry.fire)
                    state.actions[id] = nil
                } else if earliest.map({ entry.deadline < $0 }) ?? true {
                    earliest = entry.deadline
                }
            }
            state.sleeperTarget = earliest
            state.sleeper = earliest.map { sleeper(until: $0) }
            return due
        }
        for fire in due { fire() }
    }
}

/// The first of the operation and the deadline to finish resumes the caller; the other is ignored.
private final class Race<Success: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Success, any Error>?
        var child: Task<Void, Never>?
        var cancelled = false
        var finished = false
        var timerID: UInt64?
    }

    private let state = Mutex(State())

    var timerID: UInt64? {
        get { state.withLock { $0.timerID } }
        set { state.withLock { $0.timerID = newValue } }
    }

    func start(_ continuation: CheckedContinuation<Success, any Error>, child makeChild: () -> Task<Void, Never>) {
        // The continuation is in place before the child can finish.
        state.withLock { $0.continuation = continuation }
        let child = makeChild()
        let cancelNow = state.withLock { state -> Bool in
            state.child = child
            return state.cancelled
        }
        if cancelNow { child.cancel() }
    }

    func finish(_ result: Result<Success, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Success, any Error>? in
            guard !state.finished, let continuation = state.continuation else { return nil }
            state.finished = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }

    func cancelChild() {
        let child = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.child
        }
        child?.cancel()
    }
}
