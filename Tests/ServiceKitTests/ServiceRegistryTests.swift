import ServiceKit
import TestSupport
import Testing

@Suite struct ServiceRegistryTests {
    @Test func discoveryReturnsOnlyHealthyInstancesWithRecentHeartbeats() async throws {
        let clock = ManualClock()
        let registry = ServiceRegistry(heartbeatTimeout: .seconds(10), clock: clock)
        let calls = LockedValue<[String: Int]>([:])
        var changes = registry.changes().makeAsyncIterator()
        for id in ["pricing-1", "pricing-2", "pricing-3"] {
            registry.register(pricingInstance(id, calls: calls))
        }
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1", "pricing-2", "pricing-3"])
        #expect(await changes.next() == .registered(service: "pricing", instance: "pricing-1"))

        registry.setHealth(.unhealthy, of: "pricing-2")
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1", "pricing-3"])

        // pricing-1 keeps reporting; pricing-3 falls silent and expires.
        clock.advance(by: .seconds(8))
        registry.heartbeat("pricing-1")
        clock.advance(by: .seconds(4))
        registry.expireStaleInstances()
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1"])
        #expect(registry.entry("pricing-3")?.health == .expired)

        // A heartbeat brings an expired instance back; an unhealthy one stays out until it says otherwise.
        registry.heartbeat("pricing-3")
        registry.heartbeat("pricing-2")
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1", "pricing-3"])
        registry.deregister("pricing-1")
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-3"])
        #expect(registry.discover("unknown").isEmpty)

        var seen: [ServiceRegistry.Change] = []
        // After the first: two more registrations, pricing-2 unhealthy, pricing-3 expired and back, pricing-1 gone.
        for _ in 0..<6 { if let change = await changes.next() { seen.append(change) } }
        #expect(seen.contains(.healthChanged(service: "pricing", instance: "pricing-3", health: .expired)))
        #expect(seen.contains(.healthChanged(service: "pricing", instance: "pricing-3", health: .healthy)))
        #expect(seen.last == .deregistered(service: "pricing", instance: "pricing-1"))
    }

    @Test func theRegistryServiceExpiresSilentInstancesByItself() async throws {
        let clock = ManualClock()
        let registry = ServiceRegistry(heartbeatTimeout: .seconds(4), clock: clock)
        registry.register(pricingInstance("pricing-1", calls: LockedValue([:])))
        let running = Task { try await registry.run() }
        defer { running.cancel() }
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(5))
        try await waitUntil("the silent instance expires") { registry.discover("pricing").isEmpty }
    }
}
