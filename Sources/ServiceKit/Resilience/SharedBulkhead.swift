import Synchronization

/// A bulkhead shared by all calls to one service: async callers wait in FIFO order for one of
/// `maxConcurrentCalls` permits, at most `maxQueuedCalls` of them; any more are rejected at once.
///
/// A waiting caller whose task is cancelled leaves the queue immediately and never takes a permit.
///
/// ```swift
/// let bulkhead = SharedBulkhead(service: "payments", maxConcurrentCalls: 10, maxQueuedCalls: 20)
/// let receipt = try await bulkhead.withPermit { try await payments.authorize(request) }
/// ```
public final class SharedBulkhead: Sendable {
    /// The name of the protected service, used in ``ResilienceError/bulkheadFull(service:)``.
    public let service: String
    private let machine: Mutex<Bulkhead<CheckedContinuation<Void, any Error>>>
    private let nextWaiterID = Atomic<UInt64>(0)

    /// Creates a bulkhead with every permit free.
    ///
    /// - Precondition: `maxConcurrentCalls >= 1`, `maxQueuedCalls >= 0`.
    public init(service: String, maxConcurrentCalls: Int, maxQueuedCalls: Int) {
        self.service = service
        machine = Mutex(Bulkhead(maxConcurrentCalls: maxConcurrentCalls, maxQueuedCalls: maxQueuedCalls))
    }

    /// Permits currently held.
    public var activeCalls: Int {
        machine.withLock { $0.activeCalls }
    }

    /// Callers currently waiting.
    public var queuedCalls: Int {
        machine.withLock { $0.queuedCalls }
    }

    /// Calls rejected so far.
    public var rejectedCalls: Int {
        machine.withLock { $0.rejectedCalls }
    }

    /// Waits for a permit; call ``release()`` exactly once when done (or use ``withPermit(isolation:_:)``).
    ///
    /// - Throws: ``ResilienceError`` (``ResilienceError/Code/bulkheadFull``) at once when every permit is
    ///   taken and the queue is full; `CancellationError` when the task is cancelled before it gets a
    ///   permit (it then holds none).
    ///
    /// Runs on the caller's executor: with a permit free it returns without suspending, and without an executor hop.
    nonisolated(nonsending) public func acquire() async throws {
        try Task.checkCancellation()
        // A free permit needs no continuation, cancellation handler or waiter id.
        if machine.withLock({ $0.tryAcquire() }) {
            return
        }
        let id = nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let action = machine.withLock { machine -> Bulkhead<CheckedContinuation<Void, any Error>>.AcquireAction? in
                    // Checked under the lock: a cancellation handler that already ran found nothing to remove.
                    if Task.isCancelled {
                        return nil
                    }
                    return machine.acquire(id: id, waiter: continuation)
                }
                switch action {
                case nil:
                    continuation.resume(throwing: CancellationError())
                case .permitted:
                    continuation.resume()
                case .enqueued:
                    break
                case .rejected:
                    continuation.resume(throwing: ResilienceError.bulkheadFull(service: service))
                }
            }
        } onCancel: {
            machine.withLock { $0.cancel(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Gives a permit back; the first waiting caller, if any, gets it.
    public func release() {
        machine.withLock { $0.release() }?.resume()
    }

    /// Runs `operation` holding a permit, and releases it afterwards whatever happens.
    ///
    /// - Throws: What ``acquire()`` throws (without running `operation`), or what `operation` throws.
    public func withPermit<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> Result
    ) async throws -> Result {
        try await acquire()
        defer {
            release()
        }
        return try await operation()
    }
}
