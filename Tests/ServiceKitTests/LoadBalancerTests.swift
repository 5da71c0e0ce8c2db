import ServiceKit
import Testing

@Suite("Load balancing")
struct LoadBalancerTests {
    private let instances: [InstanceID] = ["catalog-1", "catalog-2", "catalog-3"]

    private func tally(_ picks: [InstanceID?]) -> [InstanceID: Int] {
        picks.reduce(into: [:]) { counts, pick in
            if let pick {
                counts[pick, default: 0] += 1
            }
        }
    }

    @Test("round robin visits every instance in turn, evenly")
    func roundRobin() {
        var strategy = RoundRobin()
        var random = SplitMix64(seed: 1)
        let picks = (0..<300).map { _ in strategy.choose(from: instances, inFlight: { _ in 0 }, using: &random) }
        #expect(Array(picks.prefix(4)) == ["catalog-1", "catalog-2", "catalog-3", "catalog-1"])
        #expect(tally(picks) == ["catalog-1": 100, "catalog-2": 100, "catalog-3": 100])
    }

    @Test("round robin skips instances that left the healthy list")
    func roundRobinSkipsUnhealthy() {
        var strategy = RoundRobin()
        var random = SplitMix64(seed: 1)
        _ = strategy.choose(from: instances, inFlight: { _ in 0 }, using: &random)
        let healthy: [InstanceID] = ["catalog-1", "catalog-3"]
        let picks = (0..<100).map { _ in strategy.choose(from: healthy, inFlight: { _ in 0 }, using: &random) }
        #expect(tally(picks) == ["catalog-1": 50, "catalog-3": 50])
    }

    @Test("power of two choices sends the call to the less loaded of the two")
    func prefersLessLoaded() {
        var strategy = PowerOfTwoChoices()
        var random = SplitMix64(seed: 7)
        let load: [InstanceID: Int] = ["catalog-1": 5, "catalog-2": 0]
        for _ in 0..<50 {
            #expect(strategy.choose(from: ["catalog-1", "catalog-2"], inFlight: { load[$0, default: 0] }, using: &random) == "catalog-2")
        }

        // With three instances the idle one is sampled, and then chosen, two times in three.
        let busy: [InstanceID: Int] = ["catalog-1": 10, "catalog-2": 0, "catalog-3": 10]
        let picks = tally((0..<3000).map { _ in strategy.choose(from: instances, inFlight: { busy[$0, default: 0] }, using: &random) })
        #expect(picks["catalog-2", default: 0] > 1800)
        #expect(picks["catalog-2", default: 0] < 2200)
    }

    @Test("power of two choices spreads idle traffic across every instance")
    func spreadsIdleTraffic() {
        var strategy = PowerOfTwoChoices()
        var random = SplitMix64(seed: 11)
        let picks = tally((0..<3000).map { _ in strategy.choose(from: instances, inFlight: { _ in 0 }, using: &random) })
        for instance in instances {
            #expect(picks[instance, default: 0] > 800)
        }
    }

    @Test("power of two choices keeps outstanding calls level")
    func levelsLoad() {
        let balancer = LoadBalancer(service: "catalog", strategy: PowerOfTwoChoices(), random: SplitMix64(seed: 3))
        for _ in 0..<300 {
            _ = balancer.acquire(from: instances)
        }
        let load = instances.map { balancer.inFlight(on: $0) }
        #expect(load.reduce(0, +) == 300)
        #expect(load.max()! - load.min()! <= 2)
    }

    @Test("power of two choices never picks an instance outside the healthy list")
    func p2cSkipsUnhealthy() {
        var strategy = PowerOfTwoChoices()
        var random = SplitMix64(seed: 5)
        let healthy: [InstanceID] = ["catalog-2", "catalog-3"]
        let picks = tally((0..<200).map { _ in strategy.choose(from: healthy, inFlight: { _ in 0 }, using: &random) })
        #expect(picks["catalog-1"] == nil)
        #expect(picks.values.reduce(0, +) == 200)
        #expect(strategy.choose(from: ["catalog-3"], inFlight: { _ in 0 }, using: &random) == "catalog-3")
        #expect(strategy.choose(from: [], inFlight: { _ in 0 }, using: &random) == nil)
    }

    @Test("the same seed gives the same choices")
    func deterministic() {
        func picks(seed: UInt64) -> [InstanceID?] {
            var strategy = PowerOfTwoChoices()
            var random = SplitMix64(seed: seed)
            return (0..<20).map { _ in strategy.choose(from: instances, inFlight: { _ in 0 }, using: &random) }
        }
        #expect(picks(seed: 9) == picks(seed: 9))
        #expect(picks(seed: 9) != picks(seed: 10))
    }

    @Test("counts calls in flight while they run and fails without a healthy instance")
    func balancerBookkeeping() async throws {
        let balancer = LoadBalancer(service: "catalog", strategy: RoundRobin())
        let seen = try await balancer.withInstance(from: instances) { instance in
            (instance, balancer.inFlight(on: instance))
        }
        #expect(seen.0 == "catalog-1")
        #expect(seen.1 == 1)
        #expect(balancer.inFlight(on: "catalog-1") == 0)

        let error = await #expect(throws: ResilienceError.self) {
            try await balancer.withInstance(from: []) { _ in Issue.record("no instance to call") }
        }
        #expect(error?.code == .noHealthyInstance)
        #expect(error?.service == "catalog")
    }
}
