/// The circuit breaker state machine: closed, open and half-open, as in resilience4j.
///
/// A value type with no clock and no lock: every method takes the current instant and returns what
/// happened, so it can be tested as a value and shared through ``SharedCircuitBreaker``.
///
/// - **Closed**: every call is permitted; outcomes go into a sliding window. Once the window holds the
///   minimum number of calls and the failure rate (or slow-call rate) is at or above its threshold, the
///   breaker opens.
/// - **Open**: calls are rejected with the time left until ``Configuration/waitDurationInOpenState``
///   has passed. The first acquisition after that moves the breaker to half-open.
/// - **Half-open**: exactly ``Configuration/permittedNumberOfCallsInHalfOpenState`` probes are permitted.
///   When all of them have reported, the breaker opens again if their failure (or slow-call) rate reaches
///   the threshold and closes otherwise.
///
/// Each permitted call gets a ``Ticket``; report its outcome with ``record(_:for:duration:now:)``. Outcomes of
/// calls permitted before the latest state change are ignored, so a slow call started while closed
/// cannot be mistaken for a half-open probe.
///
/// ```swift
/// var breaker = CircuitBreaker(configuration: .init(minimumNumberOfCalls: 20))
/// switch breaker.acquirePermission(now: clock.now).permission {
/// case .permitted(let ticket):
///     do {
///         let reply = try await call()
///         breaker.record(.success, for: ticket, now: clock.now)
///     } catch {
///         if let transition = breaker.record(.failure, for: ticket, now: clock.now) { log(transition) }
///     }
/// case .rejected(let retryAfter):
///     throw ResilienceError.circuitOpen(service: "catalog", retryAfter: retryAfter)
/// }
/// ```
public struct CircuitBreaker: Sendable {
    /// The state of the breaker.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Calls flow; outcomes are watched.
        case closed
        /// Calls are rejected until the wait duration has passed.
        case open
        /// A limited number of probe calls decide whether to close or reopen.
        case halfOpen = "half-open"
    }

    /// How a permitted call ended.
    public enum Outcome: Sendable, Hashable {
        /// The call succeeded (it still counts as slow when it took too long).
        case success
        /// The call failed in a way that says something about the service's health.
        case failure
        /// The call ended with an error that says nothing about the service (for example the caller's
        /// cancellation or a validation error): it is not counted, and a half-open probe slot is freed.
        case ignoredError
    }

    /// Proof that a call was permitted; hand it back to ``CircuitBreaker/record(_:for:duration:now:)``.
    public struct Ticket: Sendable, Hashable {
        let generation: UInt64
        /// When the permission was granted; the call's duration is measured from here.
        public let issuedAt: ServiceInstant
    }

    /// Whether a call may proceed.
    public enum Permission: Sendable, Hashable {
        /// Make the call, then record its outcome with this ticket.
        case permitted(Ticket)
        /// Fail fast. `retryAfter` is the time left in the open state; zero while half-open probes are in flight.
        case rejected(retryAfter: Duration)
    }

    /// A change of state, returned so the caller can log it and update a gauge.
    public struct Transition: Sendable, Hashable, CustomStringConvertible {
        /// The state before.
        public let from: State
        /// The state after.
        public let to: State

        /// Creates a transition value.
        public init(from: State, to: State) {
            self.from = from
            self.to = to
        }

        /// For example `closed -> open`.
        public var description: String {
            "\(from.rawValue) -> \(to.rawValue)"
        }
    }

    /// The answer to ``CircuitBreaker/acquirePermission(now:)``: the permission, and the transition the
    /// acquisition caused (open to half-open), if any.
    public struct Acquisition: Sendable, Hashable {
        /// Whether the call may proceed.
        public let permission: Permission
        /// The state change caused by this acquisition, if any.
        public let transition: Transition?

        /// The ticket when the call is permitted, `nil` when it is rejected.
        public var ticket: Ticket? {
            if case .permitted(let ticket) = permission {
                return ticket
            }
            return nil
        }
    }

    /// The configuration the breaker was created with.
    public let configuration: Configuration
    /// The current state. An open breaker whose wait has elapsed reports `open` until the next acquisition.
    public private(set) var state: State = .closed

    /// Bumped on every transition; tickets from an older generation are ignored.
    private var generation: UInt64 = 0
    private var window: CircuitBreakerWindow
    private var openUntil = ServiceInstant.origin
    private var halfOpenPermitsLeft = 0
    private var halfOpenOutcomes = 0
    private var notPermittedCalls = 0

    /// Creates a closed breaker.
    ///
    /// - Precondition: thresholds are in (0, 100], sizes and counts are at least 1, durations are not negative.
    public init(configuration: Configuration = Configuration()) {
        configuration.validate()
        self.configuration = configuration
        window = CircuitBreakerWindow(configuration.slidingWindow)
    }

    /// Asks whether a call may be made now.
    ///
    /// An open breaker whose wait duration has elapsed turns half-open here and permits the first probe.
    public mutating func acquirePermission(now: ServiceInstant) -> Acquisition {
        switch state {
        case .closed:
            return Acquisition(permission: .permitted(ticket(now)), transition: nil)
        case .open:
            guard now >= openUntil else {
                notPermittedCalls += 1
                return Acquisition(permission: .rejected(retryAfter: now.duration(to: openUntil)), transition: nil)
            }
            let transition = transition(to: .halfOpen, now: now)
            halfOpenPermitsLeft -= 1
            return Acquisition(permission: .permitted(ticket(now)), transition: transition)
        case .halfOpen:
            guard halfOpenPermitsLeft > 0 else {
                notPermittedCalls += 1
                return Acquisition(permission: .rejected(retryAfter: .zero), transition: nil)
            }
            halfOpenPermitsLeft -= 1
            return Acquisition(permission: .permitted(ticket(now)), transition: nil)
        }
    }

    /// Records how a permitted call ended and returns the state change it caused, if any.
    ///
    /// Outcomes for tickets issued before the latest transition are ignored and return `nil`.
    /// - Parameters:
    ///   - outcome: How the call ended.
    ///   - ticket: The ticket its permission came with.
    ///   - duration: How long the call took, for slow-call detection; by default the time from the
    ///     ticket's ``Ticket/issuedAt`` to `now`.
    ///   - now: The current instant.
    @discardableResult
    public mutating func record(
        _ outcome: Outcome,
        for ticket: Ticket,
        duration: Duration? = nil,
        now: ServiceInstant
    ) -> Transition? {
        guard ticket.generation == generation else {
            return nil
        }
        let isFailure: Bool
        switch outcome {
        case .success:
            isFailure = false
        case .failure:
            isFailure = true
        case .ignoredError:
            if state == .halfOpen {
                halfOpenPermitsLeft += 1
            }
            return nil
        }
        let elapsed = duration ?? ticket.issuedAt.duration(to: now)
        let isSlow = configuration.slowCalls.map { elapsed > $0.durationThreshold } ?? false

        switch state {
        case .closed:
            window.record(failure: isFailure, slow: isSlow, now: now)
            let totals = window.totals(now: now)
            guard totals.calls >= configuration.effectiveMinimumNumberOfCalls, exceedsThresholds(totals) else {
                return nil
            }
            return transition(to: .open, now: now)
        case .halfOpen:
            window.record(failure: isFailure, slow: isSlow, now: now)
            halfOpenOutcomes += 1
            guard halfOpenOutcomes >= configuration.permittedNumberOfCallsInHalfOpenState else {
                return nil
            }
            return transition(to: exceedsThresholds(window.totals(now: now)) ? .open : .closed, now: now)
        case .open:
            // Unreachable: no ticket of the open generation exists.
            return nil
        }
    }

    /// Closes the breaker and clears its window, for an operator who knows the service is back.
    ///
    /// Returns the transition, or `nil` when the breaker was already closed (its window is cleared anyway).
    @discardableResult
    public mutating func reset(now: ServiceInstant) -> Transition? {
        if state == .closed {
            window = CircuitBreakerWindow(configuration.slidingWindow)
            return nil
        }
        return transition(to: .closed, now: now)
    }

    /// The numbers an operations dashboard shows for this breaker.
    public func snapshot(now: ServiceInstant) -> Snapshot {
        let totals = window.totals(now: now)
        let minimumCalls =
            state == .halfOpen ? configuration.permittedNumberOfCallsInHalfOpenState : configuration.effectiveMinimumNumberOfCalls
        let hasRates = totals.calls > 0 && totals.calls >= minimumCalls
        return Snapshot(
            state: state,
            failureRate: hasRates ? Double(totals.failures) * 100 / Double(totals.calls) : nil,
            slowCallRate: hasRates && configuration.slowCalls != nil ? Double(totals.slowCalls) * 100 / Double(totals.calls) : nil,
            bufferedCalls: totals.calls,
            failedCalls: totals.failures,
            slowCalls: totals.slowCalls,
            notPermittedCalls: notPermittedCalls,
            retryAfter: state == .open ? max(.zero, now.duration(to: openUntil)) : nil
        )
    }

    private func ticket(_ now: ServiceInstant) -> Ticket {
        Ticket(generation: generation, issuedAt: now)
    }

    private func exceedsThresholds(_ totals: CircuitBreakerWindow.Totals) -> Bool {
        let calls = Double(totals.calls)
        if Double(totals.failures) * 100 >= configuration.failureRateThreshold * calls {
            return true
        }
        if let slowCalls = configuration.slowCalls, Double(totals.slowCalls) * 100 >= slowCalls.rateThreshold * calls {
            return true
        }
        return false
    }

    private mutating func transition(to newState: State, now: ServiceInstant) -> Transition {
        let transition = Transition(from: state, to: newState)
        state = newState
        generation &+= 1
        notPermittedCalls = 0
        switch newState {
        case .closed:
            window = CircuitBreakerWindow(configuration.slidingWindow)
        case .open:
            // The window that tripped the breaker stays visible in snapshots while it is open.
            openUntil = now.advanced(by: configuration.waitDurationInOpenState)
        case .halfOpen:
            let probes = configuration.permittedNumberOfCallsInHalfOpenState
            window = CircuitBreakerWindow(.countBased(size: probes))
            halfOpenPermitsLeft = probes
            halfOpenOutcomes = 0
        }
        return transition
    }
}
