import Synchronization

/// Faults injected into calls on purpose, for demos and tests: added latency and an error rate per endpoint
/// (or per service), and instances that behave as if down.
///
/// The ``ServiceClient`` consults the injector after it picked an instance and before the transport, so
/// injected failures meet the same breakers, retries and metrics as real ones.
public final class FaultInjector: Sendable {
    /// What to do to calls of one endpoint or service.
    public struct Fault: Sendable, Hashable, Codable {
        /// Delay added before the call.
        public var latency: Duration?
        /// Share of calls, 0...1, that fail with ``InjectedFault``.
        public var errorRate: Double

        /// Creates a fault.
        public init(latency: Duration? = nil, errorRate: Double = 0) {
            precondition((0...1).contains(errorRate), "an error rate is a share between 0 and 1")
            self.latency = latency
            self.errorRate = errorRate
        }
    }

    private struct State {
        var faults: [String: Fault] = [:]
        var downInstances: Set<InstanceID> = []
        var isEmpty: Bool { faults.isEmpty && downInstances.isEmpty }
    }

    private let state = Mutex(State())
    /// Whether any fault is in force, kept in step with `state` under its lock: calls read it without locking.
    private let hasFaults = Atomic<Bool>(false)
    private let random = Mutex(SystemRandomNumberGenerator())

    /// An injector with no faults.
    public init() {}

    /// Sets the fault for an endpoint name (`catalog.product`), one instance (`catalog-2`) or a whole service
    /// (`catalog`); `nil` clears it. A call takes its endpoint's fault, else its instance's, else its service's.
    public func setFault(_ fault: Fault?, for target: String) {
        state.withLock { state in
            state.faults[target] = fault
            hasFaults.store(!state.isEmpty, ordering: .releasing)
        }
    }

    /// Makes an instance fail every call as if it were unreachable, or heals it.
    public func setDown(_ down: Bool, instance: InstanceID) {
        state.withLock { state in
            if down { state.downInstances.insert(instance) } else { state.downInstances.remove(instance) }
            hasFaults.store(!state.isEmpty, ordering: .releasing)
        }
    }

    /// The faults in force, by target, and the instances down: for the dashboard.
    public var current: (faults: [String: Fault], down: Set<InstanceID>) {
        state.withLock { ($0.faults, $0.downInstances) }
    }

    /// Applies the faults in force to one call. Runs on the caller's executor; with no fault in force it reads one
    /// atomic flag and returns.
    /// - Throws: ``InjectedFault`` when the call is chosen to fail or its instance is down.
    nonisolated(nonsending) public func apply(endpoint: String, service: String, instance: InstanceID, clock: any ServiceClock) async throws {
        guard hasFaults.load(ordering: .acquiring) else { return }
        let (fault, down) = state.withLock { state -> (Fault?, Bool) in
            if state.isEmpty { return (nil, false) }
            return (state.faults[endpoint] ?? state.faults[instance.rawValue] ?? state.faults[service], state.downInstances.contains(instance))
        }
        if down { throw InjectedFault(kind: .instanceDown, endpoint: endpoint, instance: instance) }
        guard let fault else { return }
        if let latency = fault.latency { try await clock.sleep(for: latency) }
        if fault.errorRate > 0, random.withLock({ Double.random(in: 0..<1, using: &$0) }) < fault.errorRate {
            throw InjectedFault(kind: .error, endpoint: endpoint, instance: instance)
        }
    }
}

/// A failure made on purpose by the ``FaultInjector``.
public struct InjectedFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which fault.
    public enum Kind: String, Sendable, Hashable {
        /// Picked by the error rate.
        case error
        /// The instance is marked down.
        case instanceDown = "instance-down"
    }

    /// Which fault.
    public let kind: Kind
    /// The endpoint called.
    public let endpoint: String
    /// The instance picked.
    public let instance: InstanceID

    /// `injected <kind> on <endpoint> at <instance>`.
    public var description: String { "injected \(kind.rawValue) on \(endpoint) at \(instance)" }
}
