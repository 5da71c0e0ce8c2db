import ServiceKit
import Telemetry
import Testing

@Suite struct ServiceClientTests {
    private func makeClient(
        instances: [String],
        calls: LockedValue<[String: Int]>,
        mode: InProcessTransport.Mode = .serialized,
        configuration: ServiceClient.Configuration = ServiceClient.Configuration(),
        clock: any ServiceClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry()
    ) -> ServiceClient {
        let registry = ServiceRegistry(clock: clock)
        for id in instances { registry.register(pricingInstance(id, calls: calls)) }
        return ServiceClient(
            registry: registry,
            transport: InProcessTransport(mode: mode),
            configuration: configuration,
            metrics: metrics,
            clock: clock
        )
    }

    @Test(arguments: [ServiceClient.Configuration.Balancing.roundRobin, .powerOfTwoChoices])
    func callsSpreadOverInstancesAndAvoidOnesThatLeaveTheRotation(balancing: ServiceClient.Configuration.Balancing) async throws {
        let calls = LockedValue<[String: Int]>([:])
        let client = makeClient(instances: ["pricing-1", "pricing-2", "pricing-3"], calls: calls, configuration: .init(balancing: balancing))
        for _ in 0..<300 { _ = try await client.call(PricingEndpoints.quote, "lamp") }
        #expect(calls.value.count == 3)
        #expect(calls.value.values.allSatisfy { $0 >= 50 }, "\(calls.value)")

        calls.withLock { $0 = [:] }
        client.registry.setHealth(.unhealthy, of: "pricing-2")
        for _ in 0..<100 { _ = try await client.call(PricingEndpoints.quote, "lamp") }
        #expect(calls.value["pricing-2"] == nil)
        #expect(calls.value.values.reduce(0, +) == 100)
    }

    @Test func anInstanceWhoseHeartbeatExpiredGetsNoCalls() async throws {
        let clock = ManualClock()
        let calls = LockedValue<[String: Int]>([:])
        let client = makeClient(instances: ["pricing-1", "pricing-2"], calls: calls, clock: clock)
        clock.advance(by: .seconds(6))
        client.registry.heartbeat("pricing-1")
        clock.advance(by: .seconds(6))
        client.registry.expireStaleInstances()
        for _ in 0..<20 { _ = try await client.call(PricingEndpoints.quote, "lamp") }
        #expect(calls.value == ["pricing-1": 20])
    }

    @Test func declaredFailuresReachTheCallerTypedAndAreNeverRetried() async throws {
        let calls = LockedValue<[String: Int]>([:])
        let client = makeClient(instances: ["pricing-1"], calls: calls)
        await #expect(throws: PricingError.unknownSKU("missing")) { try await client.call(PricingEndpoints.quote, "missing") }
        #expect(calls.value["pricing-1"] == 1)
    }

    @Test func idempotentCallsRetryOnAnotherInstanceAndOthersDoNot() async throws {
        let calls = LockedValue<[String: Int]>([:])
        let client = makeClient(instances: ["pricing-1", "pricing-2"], calls: calls, configuration: .init(balancing: .roundRobin))
        client.faults.setDown(true, instance: "pricing-1")
        // Every idempotent call succeeds: an attempt that meets the down instance is retried on the other one.
        for _ in 0..<20 {
            #expect(try await client.call(PricingEndpoints.quote, "lamp").servedBy == "pricing-2")
        }
        // A non-idempotent call that meets the down instance fails at once.
        var failures = 0
        for _ in 0..<10 {
            do {
                _ = try await client.call(PricingEndpoints.setPrice, Quote(sku: "lamp", cents: 5, servedBy: ""))
            } catch is InjectedFault {
                failures += 1
            }
        }
        #expect(failures == 5)
    }

    @Test func theBreakerOpensFailsFastAndRecoversThroughHalfOpenProbes() async throws {
        let clock = ManualClock()
        let calls = LockedValue<[String: Int]>([:])
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 50
        breaker.slidingWindow = .countBased(size: 10)
        breaker.minimumNumberOfCalls = 10
        breaker.waitDurationInOpenState = .seconds(30)
        breaker.permittedNumberOfCallsInHalfOpenState = 2
        let metrics = MetricsRegistry()
        let client = makeClient(
            instances: ["pricing-1"],
            calls: calls,
            configuration: .init(breaker: breaker, retry: .never),
            clock: clock,
            metrics: metrics
        )
        // 6 failures in 10 calls: 60% ≥ 50%, so the breaker opens on the tenth call.
        for index in 0..<10 {
            client.faults.setFault(.init(errorRate: index < 6 ? 1 : 0), for: "pricing")
            _ = try? await client.call(PricingEndpoints.quote, "lamp")
        }
        #expect(client.breakers["pricing"]?.state == .open)
        #expect(metrics.exposition().contains(#"emporium_circuit_breaker_state{service="pricing"} 2"#))
        let before = calls.value["pricing-1"] ?? 0
        client.faults.setFault(nil, for: "pricing")
        await #expect {
            try await client.call(PricingEndpoints.quote, "lamp")
        } throws: { error in
            (error as? ResilienceError)?.code == .circuitOpen
        }
        #expect(calls.value["pricing-1"] == before, "an open breaker must not call the handler")

        clock.advance(by: .seconds(31))
        _ = try await client.call(PricingEndpoints.quote, "lamp")
        #expect(client.breakers["pricing"]?.state == .halfOpen)
        _ = try await client.call(PricingEndpoints.quote, "lamp")
        #expect(client.breakers["pricing"]?.state == .closed)
        #expect(metrics.exposition().contains(#"emporium_circuit_breaker_state{service="pricing"} 0"#))
    }

    @Test func aSlowCallTimesOut() async throws {
        let client = makeClient(instances: ["pricing-1"], calls: LockedValue([:]))
        await #expect {
            try await client.call(PricingEndpoints.slow, 1)
        } throws: { error in
            (error as? ResilienceError)?.code == .timeout
        }
    }

    @Test func noInstanceIsAClearError() async throws {
        let client = makeClient(instances: [], calls: LockedValue([:]))
        await #expect {
            try await client.call(PricingEndpoints.quote, "lamp")
        } throws: { error in
            (error as? ResilienceError)?.code == .noHealthyInstance
        }
    }

    @Test func callsAreCountedByOutcome() async throws {
        let metrics = MetricsRegistry()
        let client = makeClient(instances: ["pricing-1"], calls: LockedValue([:]), metrics: metrics)
        _ = try await client.call(PricingEndpoints.quote, "lamp")
        _ = try? await client.call(PricingEndpoints.quote, "missing")
        let text = metrics.exposition()
        #expect(text.contains(#"emporium_calls_total{endpoint="pricing.quote",outcome="ok"} 1"#))
        #expect(text.contains(#"emporium_calls_total{endpoint="pricing.quote",outcome="declared-failure"} 1"#))
        #expect(text.contains(#"emporium_call_duration_seconds_count{endpoint="pricing.quote"} 2"#))
    }
}
