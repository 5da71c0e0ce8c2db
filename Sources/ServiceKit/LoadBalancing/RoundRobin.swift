/// Hands calls to the healthy instances in turn, ignoring their load.
///
/// With a stable instance list every instance receives the same number of calls (±1). When the list
/// changes, the rotation simply continues over the new list.
public struct RoundRobin: LoadBalancingStrategy, Hashable {
    private var next: UInt = 0

    /// Creates a rotation starting at the first instance.
    public init() {}

    /// Returns the next instance in turn.
    public mutating func choose(
        from instances: [InstanceID],
        inFlight: (InstanceID) -> Int,
        using random: inout some RandomNumberGenerator
    ) -> InstanceID? {
        guard !instances.isEmpty else {
            return nil
        }
        let chosen = instances[Int(next % UInt(instances.count))]
        next &+= 1
        return chosen
    }
}
