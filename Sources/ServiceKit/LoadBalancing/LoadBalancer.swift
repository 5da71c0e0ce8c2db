import Synchronization

/// Spreads the calls to one service over its healthy instances with a ``LoadBalancingStrategy``, and
/// counts the calls in flight on each instance (the load that ``PowerOfTwoChoices`` compares).
///
/// ```swift
/// let balancer = LoadBalancer(service: "catalog", strategy: PowerOfTwoChoices())
/// let product = try await balancer.withInstance(from: registry.healthyInstances("catalog")) { instance in
///     try await transport(for: instance).call(CatalogEndpoints.product, id)
/// }
/// ```
public final class LoadBalancer: Sendable {
    private struct State {
        var strategy: any LoadBalancingStrategy
        var random: any RandomNumberGenerator & Sendable
        var inFlight: [InstanceID: Int] = [:]
    }

    /// The name of the balanced service, used in ``ResilienceError/noHealthyInstance(service:)``.
    public let service: String
    private let state: Mutex<State>

    /// Creates a balancer.
    ///
    /// - Parameters:
    ///   - service: The service's name, used in errors.
    ///   - strategy: How to choose; for example ``RoundRobin`` or ``PowerOfTwoChoices``.
    ///   - random: The source of the strategy's randomness; seed it for reproducible choices.
    public init(
        service: String,
        strategy: some LoadBalancingStrategy,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.service = service
        state = Mutex(State(strategy: strategy, random: random))
    }

    /// Chooses an instance among `healthy` and counts one more call in flight on it.
    ///
    /// Pair every non-`nil` result with one ``release(_:)``, or use ``withInstance(from:isolation:_:)``.
    /// - Returns: The chosen instance, or `nil` when `healthy` is empty.
    public func acquire(from healthy: [InstanceID]) -> InstanceID? {
        state.withLock { state in
            let inFlight = state.inFlight
            guard let chosen = state.strategy.choose(from: healthy, inFlight: { inFlight[$0, default: 0] }, using: &state.random) else {
                return nil
            }
            state.inFlight[chosen, default: 0] += 1
            return chosen
        }
    }

    /// Counts one call on `instance` as finished.
    public func release(_ instance: InstanceID) {
        state.withLock { state in
            // One hash lookup: this runs after every call.
            guard let index = state.inFlight.index(forKey: instance) else {
                return
            }
            if state.inFlight.values[index] > 1 {
                state.inFlight.values[index] -= 1
            } else {
                state.inFlight.remove(at: index)
            }
        }
    }

    /// The number of calls currently in flight on `instance`.
    public func inFlight(on instance: InstanceID) -> Int {
        state.withLock { $0.inFlight[instance, default: 0] }
    }

    /// Runs `operation` against an instance chosen among `healthy`, counting it in flight meanwhile.
    ///
    /// - Throws: ``ResilienceError`` (``ResilienceError/Code/noHealthyInstance``) when `healthy` is empty,
    ///   otherwise whatever `operation` throws.
    public func withInstance<Result>(
        from healthy: [InstanceID],
        isolation: isolated (any Actor)? = #isolation,
        _ operation: (InstanceID) async throws -> Result
    ) async throws -> Result {
        guard let instance = acquire(from: healthy) else {
            throw ResilienceError.noHealthyInstance(service: service)
        }
        defer {
            release(instance)
        }
        return try await operation(instance)
    }
}
