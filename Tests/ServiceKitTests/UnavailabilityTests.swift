import ServiceKit
import Telemetry
import Testing

/// A handler whose service cannot do anything right now (its disk full): the same error in both transports, never
/// retried, and no mark against the breaker or the instance, so the service's other calls go on.
@Suite struct UnavailabilityTests {
    @Test(arguments: InProcessTransport.Mode.allCases)
    func anUnavailableServiceArrivesAsItsUnavailabilityInBothModes(mode: InProcessTransport.Mode) async throws {
        let instance = pricingInstance("pricing-1", calls: LockedValue([:]))
        let transport = InProcessTransport(mode: mode)
        await #expect(
            throws: RemoteCallError(kind: .unavailable, endpoint: "pricing.quote", message: "disk full", unavailability: DiskError.unavailability)
        ) {
            try await transport.call(PricingEndpoints.quote, "full", on: instance)
        }
        // The same type of error without an unavailability is an ordinary internal error.
        await #expect(throws: RemoteCallError(kind: .internalError, endpoint: "pricing.quote", message: "disk failed")) {
            try await transport.call(PricingEndpoints.quote, "disk-failed", on: instance)
        }
        #expect(DiskError(full: true).serviceUnavailability == DiskError.unavailability)
        #expect(RemoteCallError(kind: .internalError, endpoint: "pricing.quote", message: "x").serviceUnavailability == nil)
    }

    @Test func anUnavailableServiceIsNotRetriedAndLeavesTheBreakerAndTheInstancesAlone() async throws {
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 50
        breaker.slidingWindow = .countBased(size: 10)
        breaker.minimumNumberOfCalls = 10
        let calls = LockedValue<[String: Int]>([:])
        let registry = ServiceRegistry()
        for id in ["pricing-1", "pricing-2"] { registry.register(pricingInstance(id, calls: calls)) }
        let metrics = MetricsRegistry()
        let client = ServiceClient(
            registry: registry,
            transport: InProcessTransport(mode: .serialized),
            configuration: .init(breaker: breaker, outliers: .init(consecutiveFailures: 3)),
            metrics: metrics
        )
        for _ in 0..<30 {
            await #expect(throws: RemoteCallError.self) { try await client.call(PricingEndpoints.quote, "full") }
        }
        // An idempotent endpoint, yet one attempt per call: a full disk outlasts a backoff.
        #expect(calls.value.values.reduce(0, +) == 30)
        #expect(client.breakers["pricing"]?.state == .closed)
        #expect(client.ejections.isEmpty)
        #expect(metrics.exposition().contains(#"emporium_calls_total{endpoint="pricing.quote",outcome="unavailable"} 30"#))
        // The reads that still work go on.
        #expect(try await client.call(PricingEndpoints.quote, "lamp").cents == 1999)
    }
}
