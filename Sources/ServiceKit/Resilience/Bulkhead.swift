/// The bulkhead state machine: at most N calls at once, at most Q more waiting in FIFO order, the rest
/// rejected at once.
///
/// A value type that stores the waiting callers' `Waiter` values (continuations in ``SharedBulkhead``,
/// plain labels in tests) and tells its owner whom to resume. A released permit goes straight to the
/// first waiter, so a newcomer can never overtake the queue.
///
/// ```swift
/// var bulkhead = Bulkhead<String>(maxConcurrentCalls: 1, maxQueuedCalls: 1)
/// bulkhead.acquire(id: 1, waiter: "a")  // .permitted
/// bulkhead.acquire(id: 2, waiter: "b")  // .enqueued
/// bulkhead.acquire(id: 3, waiter: "c")  // .rejected
/// bulkhead.release()                    // "b", who now holds the permit
/// ```
public struct Bulkhead<Waiter> {
    /// The answer to ``acquire(id:waiter:)``.
    public enum AcquireAction: Sendable, Hashable {
        /// A permit was free and is now the caller's; the waiter was not stored.
        case permitted
        /// The caller waits; its waiter is returned by ``Bulkhead/release()`` (holding a permit) or by
        /// ``Bulkhead/cancel(id:)``.
        case enqueued
        /// No permit and no room in the queue; the waiter was not stored.
        case rejected
    }

    /// How many calls may run at once.
    public let maxConcurrentCalls: Int
    /// How many calls may wait for a permit.
    public let maxQueuedCalls: Int
    /// Permits currently held.
    public private(set) var activeCalls = 0
    /// Calls rejected so far.
    public private(set) var rejectedCalls = 0
    private var queue: [(id: UInt64, waiter: Waiter)] = []

    /// Calls currently waiting for a permit.
    public var queuedCalls: Int {
        queue.count
    }

    /// Creates an empty bulkhead.
    ///
    /// - Precondition: `maxConcurrentCalls >= 1`, `maxQueuedCalls >= 0`.
    public init(maxConcurrentCalls: Int, maxQueuedCalls: Int) {
        precondition(maxConcurrentCalls >= 1, "a bulkhead needs at least one permit")
        precondition(maxQueuedCalls >= 0, "the queue capacity must not be negative")
        self.maxConcurrentCalls = maxConcurrentCalls
        self.maxQueuedCalls = maxQueuedCalls
    }

    /// Asks for a permit for the caller identified by `id` (unique among waiting callers).
    @discardableResult
    public mutating func acquire(id: UInt64, waiter: Waiter) -> AcquireAction {
        if activeCalls < maxConcurrentCalls {
            activeCalls += 1
            return .permitted
        }
        if queue.count < maxQueuedCalls {
            queue.append((id: id, waiter: waiter))
            return .enqueued
        }
        rejectedCalls += 1
        return .rejected
    }

    /// Takes a free permit without queueing: the fast path of ``acquire(id:waiter:)``, which needs no waiter.
    ///
    /// - Returns: `true` when a permit was free and is now the caller's; `false` when the caller must queue
    ///   (or be rejected) through ``acquire(id:waiter:)``.
    public mutating func tryAcquire() -> Bool {
        // A free permit means nobody waits: a released permit goes straight to the first waiter.
        guard activeCalls < maxConcurrentCalls else {
            return false
        }
        activeCalls += 1
        return true
    }

    /// Gives a permit back.
    ///
    /// - Returns: The first waiter, which now holds the permit and must be resumed; `nil` when nobody waits.
    /// - Precondition: a permit is held.
    @discardableResult
    public mutating func release() -> Waiter? {
        precondition(activeCalls > 0, "release() without a matching permit")
        if queue.isEmpty {
            activeCalls -= 1
            return nil
        }
        return queue.removeFirst().waiter
    }

    /// Removes the waiting caller `id` from the queue, for example because its task was cancelled.
    ///
    /// - Returns: Its waiter, to be resumed with an error; `nil` when it is not waiting (it already got a
    ///   permit, was rejected, or never asked).
    @discardableResult
    public mutating func cancel(id: UInt64) -> Waiter? {
        guard let index = queue.firstIndex(where: { $0.id == id }) else {
            return nil
        }
        return queue.remove(at: index).waiter
    }
}

extension Bulkhead: Sendable where Waiter: Sendable {}
