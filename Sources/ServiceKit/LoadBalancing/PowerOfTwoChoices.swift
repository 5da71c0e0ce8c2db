/// Picks two distinct instances at random and sends the call to the one with fewer calls in flight.
///
/// "The power of two choices" (Mitzenmacher): nearly as good as always choosing the least-loaded
/// instance, without herding every caller onto the same one. On a tie the first of the two sampled
/// instances wins, so the choice depends only on the random generator: reproducible with a seeded one,
/// and idle instances still share calls evenly.
public struct PowerOfTwoChoices: LoadBalancingStrategy, Hashable {
    /// Creates the strategy; it keeps no state of its own.
    public init() {}

    /// Returns the less loaded of two randomly sampled instances.
    public mutating func choose(
        from instances: [InstanceID],
        inFlight: (InstanceID) -> Int,
        using random: inout some RandomNumberGenerator
    ) -> InstanceID? {
        switch instances.count {
        case 0:
            return nil
        case 1:
            return instances[0]
        default:
            let firstIndex = Int.random(in: 0..<instances.count, using: &random)
            var secondIndex = Int.random(in: 0..<(instances.count - 1), using: &random)
            if secondIndex >= firstIndex {
                secondIndex += 1
            }
            let first = instances[firstIndex]
            let second = instances[secondIndex]
            return inFlight(second) < inFlight(first) ? second : first
        }
    }
}
