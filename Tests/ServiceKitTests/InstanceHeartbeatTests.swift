import ServiceKit
import TestSupport
import Testing

/// An instance's heartbeat keeps it in rotation while its check passes, takes it out while the check fails, and
/// deregisters it when the service group stops it.
@Suite struct InstanceHeartbeatTests {
    @Test func theCheckDecidesRotationAndStoppingDeregisters() async throws {
        let clock = ManualClock()
        let registry = ServiceRegistry(heartbeatTimeout: .seconds(10), clock: clock)
        registry.register(pricingInstance("pricing-1", calls: LockedValue([:])))
        let failing = LockedValue(false)
        let checks = LockedValue(0)
        let heartbeat = InstanceHeartbeat(instance: "pricing-1", registry: registry, interval: .seconds(2), clock: clock) {
            checks.withLock { $0 += 1 }
            if failing.value { throw CheckFailed() }
        }
        let running = Task { try await heartbeat.run() }

        // Healthy: heartbeats keep it from expiring well past the timeout.
        for _ in 0..<8 {
            try await clock.waitForSleepers()
            clock.advance(by: .seconds(2))
        }
        try await clock.waitForSleepers()
        registry.expireStaleInstances()
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1"])

        // The check fails: out of rotation at the next beat; it passes again: back in.
        failing.withLock { $0 = true }
        let before = checks.value
        clock.advance(by: .seconds(2))
        try await waitUntil("the failing check ran") { checks.value > before && registry.entry("pricing-1")?.health == .unhealthy }
        #expect(registry.discover("pricing").isEmpty)
        failing.withLock { $0 = false }
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(2))
        try await waitUntil("the instance is back") { registry.entry("pricing-1")?.health == .healthy }
        #expect(registry.discover("pricing").map(\.id.rawValue) == ["pricing-1"])

        // Stopped (cancelled, as a service group does): deregistered.
        running.cancel()
        _ = try? await running.value
        #expect(registry.entry("pricing-1") == nil)
    }
}

private struct CheckFailed: Error {}
