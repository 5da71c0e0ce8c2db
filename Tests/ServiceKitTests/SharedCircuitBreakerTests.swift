import ServiceKit
import Testing

@Suite("Shared circuit breaker")
struct SharedCircuitBreakerTests {
    private let configuration = CircuitBreaker.Configuration(
        slidingWindow: .countBased(size: 4),
        minimumNumberOfCalls: 2,
        waitDurationInOpenState: .seconds(30),
        permittedNumberOfCallsInHalfOpenState: 1,
        slowCalls: nil
    )

    @Test("fails fast with a circuit-open error once the service keeps failing, then recovers")
    func failsFastAndRecovers() async throws {
        let clock = ManualClock()
        let transitions = LockedValue<[CircuitBreaker.Transition]>([])
        let breaker = SharedCircuitBreaker(service: "catalog", configuration: configuration, clock: clock) { transition in
            transitions.withLock { $0.append(transition) }
        }
        let calls = LockedValue(0)
        for _ in 0..<2 {
            await #expect(throws: TestFailure()) {
                try await breaker.execute {
                    calls.withLock { $0 += 1 }
                    throw TestFailure()
                }
            }
        }
        #expect(breaker.state == .open)

        clock.advance(by: .seconds(12))
        let error = await #expect(throws: ResilienceError.self) {
            try await breaker.execute { calls.withLock { $0 += 1 } }
        }
        #expect(calls.value == 2)
        #expect(error?.code == .circuitOpen)
        #expect(error?.service == "catalog")
        #expect(error?.retryAfter == .seconds(18))
        #expect(breaker.snapshot.notPermittedCalls == 1)

        clock.advance(by: .seconds(18))
        #expect(try await breaker.execute { "recovered" } == "recovered")
        #expect(breaker.state == .closed)
        #expect(
            transitions.value == [
                .init(from: .closed, to: .open), .init(from: .open, to: .halfOpen), .init(from: .halfOpen, to: .closed),
            ]
        )
    }

    @Test("a cancelled call does not count against the service")
    func cancellationIsIgnored() async throws {
        let breaker = SharedCircuitBreaker(service: "catalog", configuration: configuration, clock: ManualClock())
        for _ in 0..<5 {
            await #expect(throws: CancellationError.self) {
                try await breaker.execute { throw CancellationError() }
            }
        }
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot.bufferedCalls == 0)
    }

    @Test("measures call durations on the injected clock")
    func slowCallsUseTheClock() async throws {
        let clock = ManualClock()
        let slow = CircuitBreaker.Configuration(
            slidingWindow: .countBased(size: 2),
            minimumNumberOfCalls: 2,
            slowCalls: .init(durationThreshold: .seconds(1), rateThreshold: 100)
        )
        let breaker = SharedCircuitBreaker(service: "search", configuration: slow, clock: clock)
        for _ in 0..<2 {
            try await breaker.execute { clock.advance(by: .seconds(5)) }
        }
        #expect(breaker.state == .open)
        #expect(breaker.snapshot.slowCallRate == 100)
    }
}
