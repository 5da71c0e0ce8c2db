import Synchronization

/// A ``CircuitBreaker`` shared by all calls to one service: the state machine behind a lock, driven by a clock.
///
/// Transitions are reported to `onTransition` outside the lock, in the order they happened, so the
/// caller can log them and update a metric without slowing other calls down.
///
/// ```swift
/// let breaker = SharedCircuitBreaker(service: "catalog", clock: SystemClock())
/// let product = try await breaker.execute { try await catalog.product(id) }
/// ```
public final class SharedCircuitBreaker: Sendable {
    /// The name of the protected service, used in ``ResilienceError/circuitOpen(service:retryAfter:)``.
    public let service: String
    private let clock: any ServiceClock
    private let machine: Mutex<CircuitBreaker>
    private let onTransition: @Sendable (CircuitBreaker.Transition) -> Void

    /// Creates a closed breaker for `service`.
    ///
    /// - Parameters:
    ///   - service: The service's name, used in errors.
    ///   - configuration: Thresholds and window; resilience4j defaults when omitted.
    ///   - clock: Where time comes from.
    ///   - onTransition: Called after every state change, outside the lock.
    public init(
        service: String,
        configuration: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        clock: any ServiceClock,
        onTransition: @escaping @Sendable (CircuitBreaker.Transition) -> Void = { _ in }
    ) {
        self.service = service
        self.clock = clock
        self.machine = Mutex(CircuitBreaker(configuration: configuration))
        self.onTransition = onTransition
    }

    /// The current state.
    public var state: CircuitBreaker.State {
        machine.withLock { $0.state }
    }

    /// The numbers an operations dashboard shows for this breaker.
    public var snapshot: CircuitBreaker.Snapshot {
        let now = clock.now
        return machine.withLock { $0.snapshot(now: now) }
    }

    /// Asks for permission to make a call.
    ///
    /// - Returns: The ticket to pass to ``record(_:for:)`` when the call ends.
    /// - Throws: ``ResilienceError`` with code ``ResilienceError/Code/circuitOpen`` when the call is rejected.
    public func acquirePermission() throws(ResilienceError) -> CircuitBreaker.Ticket {
        try acquirePermission(now: clock.now)
    }

    /// ``acquirePermission()`` at `now`, read from this breaker's clock by a caller that needs it anyway.
    func acquirePermission(now: ServiceInstant) throws(ResilienceError) -> CircuitBreaker.Ticket {
        let acquisition = machine.withLock { $0.acquirePermission(now: now) }
        if let transition = acquisition.transition {
            onTransition(transition)
        }
        switch acquisition.permission {
        case .permitted(let ticket):
            return ticket
        case .rejected(let retryAfter):
            throw .circuitOpen(service: service, retryAfter: retryAfter)
        }
    }

    /// Records how a permitted call ended.
    public func record(_ outcome: CircuitBreaker.Outcome, for ticket: CircuitBreaker.Ticket) {
        let now = clock.now
        if let transition = machine.withLock({ $0.record(outcome, for: ticket, now: now) }) {
            onTransition(transition)
        }
    }

    /// Closes the breaker and clears its window.
    public func reset() {
        let now = clock.now
        if let transition = machine.withLock({ $0.reset(now: now) }) {
            onTransition(transition)
        }
    }

    /// Runs `operation` if the breaker permits it and records the outcome.
    ///
    /// - Parameters:
    ///   - classify: Decides how an error counts. By default `CancellationError` is ignored (the caller
    ///     gave up, the service did nothing wrong) and every other error is a failure.
    ///   - operation: The call to protect.
    /// - Throws: ``ResilienceError`` (``ResilienceError/Code/circuitOpen``) without running `operation`
    ///   when the breaker rejects the call; otherwise whatever `operation` throws.
    public func execute<Result>(
        isolation: isolated (any Actor)? = #isolation,
        classify: (any Error) -> CircuitBreaker.Outcome = SharedCircuitBreaker.defaultClassification,
        _ operation: () async throws -> Result
    ) async throws -> Result {
        let ticket = try acquirePermission()
        do {
            let result = try await operation()
            record(.success, for: ticket)
            return result
        } catch {
            record(classify(error), for: ticket)
            throw error
        }
    }

    /// The default error classification of ``execute(isolation:classify:_:)``: cancellation is ignored,
    /// everything else is a failure.
    public static func defaultClassification(_ error: any Error) -> CircuitBreaker.Outcome {
        error is CancellationError ? .ignoredError : .failure
    }
}
