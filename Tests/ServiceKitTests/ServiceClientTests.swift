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
        // Ejection off (it would soon take the down instance out of the rotation): only the retries are seen here.
        let configuration = ServiceClient.Configuration(balancing: .roundRobin, outliers: .init(maxEjectedShare: 0))
        let client = makeClient(instances: ["pricing-1", "pricing-2"], calls: calls, configuration: configuration)
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

    @Test func aRetryGoesToAnotherInstanceThanTheOneThatFailed() async throws {
        let calls = LockedValue<[String: Int]>([:])
        // Neither ejection nor the breaker (two thirds of first attempts fail): only the retries' choices are seen.
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 100
        let configuration = ServiceClient.Configuration(breaker: breaker, outliers: .init(maxEjectedShare: 0))
        let client = makeClient(instances: ["pricing-1", "pricing-2", "pricing-3"], calls: calls, configuration: configuration)
        client.faults.setDown(true, instance: "pricing-1")
        client.faults.setDown(true, instance: "pricing-2")
        // Two of three fail every call and may each be chosen first; three attempts never meet the same one twice.
        for _ in 0..<50 {
            #expect(try await client.call(PricingEndpoints.quote, "lamp").servedBy == "pricing-3")
        }
    }

    @Test func aReplicaFailingEveryCallIsEjectedSoWritesSucceedAndTwoOfThreeFailingStillLeaveOne() async throws {
        let clock = ManualClock()
        let calls = LockedValue<[String: Int]>([:])
        let metrics = MetricsRegistry()
        // A breaker that would open on ten failures in twenty calls: ejection keeps the service's failure rate under it.
        var breaker = CircuitBreaker.Configuration()
        breaker.slidingWindow = .countBased(size: 20)
        breaker.minimumNumberOfCalls = 20
        let client = makeClient(
            instances: ["pricing-1", "pricing-2", "pricing-3"],
            calls: calls,
            configuration: .init(breaker: breaker),
            clock: clock,
            metrics: metrics
        )
        client.faults.setFault(.init(errorRate: 1), for: "pricing-2")
        func writes(_ count: Int) async -> (failed: Int, lastFailure: Int?) {
            var failed = 0
            var lastFailure: Int?
            for index in 0..<count {
                do {
                    _ = try await client.call(PricingEndpoints.setPrice, Quote(sku: "lamp", cents: 5, servedBy: ""))
                } catch {
                    failed += 1
                    lastFailure = index
                }
            }
            return (failed, lastFailure)
        }
        // Writes are not retried: the bad replica fails the ones it gets until it is ejected after five in a row.
        let first = await writes(200)
        #expect(first.failed == 5)
        #expect((first.lastFailure ?? 0) < 40, "ejected within a handful of calls, not after \(first.lastFailure ?? 0)")
        #expect(client.ejections["pricing"]?["pricing-2"] != nil)
        #expect(client.breakers["pricing"]?.state == .closed)
        #expect(metrics.exposition().contains(#"emporium_instance_ejected{instance="pricing-2",service="pricing"} 1"#))
        #expect(metrics.exposition().contains(#"emporium_instance_ejections_total{instance="pricing-2",service="pricing"} 1"#))

        // A second replica breaks: it is ejected too, and the third serves everything.
        client.faults.setFault(.init(errorRate: 1), for: "pricing-3")
        let second = await writes(200)
        #expect(second.failed == 5)
        #expect(client.ejections["pricing"]?.count == 2)
        calls.withLock { $0 = [:] }
        #expect(await writes(50).failed == 0)
        #expect(calls.value == ["pricing-1": 50])
        #expect(client.breakers["pricing"]?.state == .closed)

        // Healed and past their ejections, both come back.
        client.faults.setFault(nil, for: "pricing-2")
        client.faults.setFault(nil, for: "pricing-3")
        clock.advance(by: .seconds(11))
        calls.withLock { $0 = [:] }
        #expect(await writes(300).failed == 0)
        #expect(calls.value.count == 3, "\(calls.value)")
        #expect(client.ejections.isEmpty)
        #expect(metrics.exposition().contains(#"emporium_instance_ejected{instance="pricing-2",service="pricing"} 0"#))
    }

    @Test func anInstanceBackOnProbationIsEjectedAgainAtItsFirstFailureAndForLonger() async throws {
        let clock = ManualClock()
        let client = makeClient(instances: ["pricing-1", "pricing-2"], calls: LockedValue([:]), configuration: .init(retry: .never), clock: clock)
        client.faults.setFault(.init(errorRate: 1), for: "pricing-1")
        for _ in 0..<40 { _ = try? await client.call(PricingEndpoints.quote, "lamp") }
        let first = try #require(client.ejections["pricing"]?["pricing-1"])
        #expect(first.count == 1)
        #expect(first.until == clock.now.advanced(by: .seconds(10)))

        // Still failing when it returns: the first call it gets ejects it again, for twice as long.
        clock.advance(by: .seconds(10))
        var failures = 0
        for _ in 0..<40 {
            do { _ = try await client.call(PricingEndpoints.quote, "lamp") } catch { failures += 1 }
        }
        #expect(failures == 1)
        let second = try #require(client.ejections["pricing"]?["pricing-1"])
        #expect(second.count == 2)
        #expect(second.until == clock.now.advanced(by: .seconds(20)))
    }

    @Test func aServiceFailingAsAWholeKeepsAnInstanceInTheRotationAndItsBreakerDecides() async throws {
        let clock = ManualClock()
        var breaker = CircuitBreaker.Configuration()
        breaker.slidingWindow = .countBased(size: 20)
        breaker.minimumNumberOfCalls = 20
        let client = makeClient(
            instances: ["pricing-1", "pricing-2", "pricing-3"],
            calls: LockedValue([:]),
            configuration: .init(breaker: breaker, retry: .never),
            clock: clock
        )
        client.faults.setFault(.init(errorRate: 1), for: "pricing")
        for _ in 0..<60 { _ = try? await client.call(PricingEndpoints.quote, "lamp") }
        #expect((client.ejections["pricing"]?.count ?? 0) <= 2, "never the last instance")
        #expect(client.breakers["pricing"]?.state == .open)
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

    @Test func aRetryRefusedAfterAnAttemptThatFailedIsNotReportedAsACallNeverMade() async throws {
        // The first failure opens the breaker, so the retry is refused without a call.
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 50
        breaker.slidingWindow = .countBased(size: 1)
        breaker.minimumNumberOfCalls = 1
        breaker.waitDurationInOpenState = .seconds(30)
        let client = makeClient(
            instances: ["pricing-1"],
            calls: LockedValue([:]),
            configuration: .init(breaker: breaker, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1)))
        )
        client.faults.setFault(.init(errorRate: 1), for: "pricing")
        // The failed attempt may have taken effect (a timeout would leave it running), so the caller must hear that
        // it was attempted, not that the circuit was open.
        await #expect {
            try await client.call(PricingEndpoints.quote, "lamp")
        } throws: { error in
            guard let error = error as? ResilienceError, error.code == .retriesExhausted else { return false }
            return error.underlyingError is InjectedFault
        }
        #expect(client.breakers["pricing"]?.state == .open)
        // A call refused before any attempt is still what it is.
        await #expect {
            try await client.call(PricingEndpoints.quote, "lamp")
        } throws: { error in
            (error as? ResilienceError)?.code == .circuitOpen
        }
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
