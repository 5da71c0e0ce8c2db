/// A rule for choosing which healthy instance of a service gets the next call.
///
/// Strategies are values: ``LoadBalancer`` keeps one behind its lock, and tests drive one directly with a
/// seeded generator. They only ever see healthy instances; discovery has already removed the others.
public protocol LoadBalancingStrategy: Sendable {
    /// Chooses one of `instances`, or returns `nil` when the list is empty.
    ///
    /// - Parameters:
    ///   - instances: The healthy instances, in a stable order (for example sorted by id).
    ///   - inFlight: The number of calls currently outstanding on an instance.
    ///   - random: The source of any randomness, so a seeded generator makes choices reproducible.
    mutating func choose(
        from instances: [InstanceID],
        inFlight: (InstanceID) -> Int,
        using random: inout some RandomNumberGenerator
    ) -> InstanceID?
}
