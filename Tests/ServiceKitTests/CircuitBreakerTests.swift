import ServiceKit
import Testing

private struct NotPermitted: Error {}

private func at(_ seconds: Double) -> ServiceInstant {
    .origin + .seconds(seconds)
}

extension CircuitBreaker {
    /// Makes one call that starts at `start`, lasts `duration` and ends with `outcome`.
    fileprivate mutating func call(
        _ outcome: Outcome,
        at start: ServiceInstant = .origin,
        lasting duration: Duration = .zero
    ) throws -> Transition? {
        guard let ticket = acquirePermission(now: start).ticket else {
            throw NotPermitted()
        }
        return record(outcome, for: ticket, now: start + duration)
    }

    /// Opens a breaker configured with `minimumNumberOfCalls` at most 4, at `now`.
    fileprivate mutating func trip(at now: ServiceInstant) throws {
        for _ in 0..<4 where state == .closed {
            _ = try call(.failure, at: now)
        }
        precondition(state == .open)
    }
}

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    private let small = CircuitBreaker.Configuration(
        failureRateThreshold: 50,
        slidingWindow: .countBased(size: 10),
        minimumNumberOfCalls: 4,
        waitDurationInOpenState: .seconds(10),
        permittedNumberOfCallsInHalfOpenState: 3,
        slowCalls: nil
    )

    @Test("defaults follow resilience4j")
    func defaults() {
        let configuration = CircuitBreaker.Configuration()
        #expect(configuration.failureRateThreshold == 50)
        #expect(configuration.slidingWindow == .countBased(size: 100))
        #expect(configuration.minimumNumberOfCalls == 100)
        #expect(configuration.waitDurationInOpenState == .seconds(60))
        #expect(configuration.permittedNumberOfCallsInHalfOpenState == 10)
        #expect(configuration.slowCalls == .init(durationThreshold: .seconds(60), rateThreshold: 100))
        #expect(CircuitBreaker().state == .closed)
    }

    @Test("stays closed below the minimum number of calls, even when every call fails")
    func minimumNumberOfCalls() throws {
        var breaker = CircuitBreaker(configuration: small)
        for _ in 0..<3 {
            #expect(try breaker.call(.failure) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot(now: .origin).failureRate == nil)
        #expect(try breaker.call(.failure) == CircuitBreaker.Transition(from: .closed, to: .open))
        #expect(breaker.state == .open)
    }

    @Test("opens on exactly the call that brings the failure rate to the threshold")
    func opensAtThreshold() throws {
        var breaker = CircuitBreaker(configuration: small)
        for _ in 0..<4 {
            #expect(try breaker.call(.success) == nil)
        }
        // 1/5, 2/6 and 3/7 failures stay below 50 %.
        for _ in 0..<3 {
            #expect(try breaker.call(.failure) == nil)
            #expect(breaker.state == .closed)
        }
        #expect(breaker.snapshot(now: .origin).failureRate == 300.0 / 7)
        // 4/8 = 50 %.
        #expect(try breaker.call(.failure) == CircuitBreaker.Transition(from: .closed, to: .open))
        let snapshot = breaker.snapshot(now: .origin)
        #expect(snapshot.state == .open)
        #expect(snapshot.failureRate == 50)
        #expect(snapshot.bufferedCalls == 8)
        #expect(snapshot.failedCalls == 4)
    }

    @Test("a count-based window forgets calls older than its size")
    func countBasedWindowSlides() throws {
        var breaker = CircuitBreaker(
            configuration: .init(failureRateThreshold: 75, slidingWindow: .countBased(size: 4), minimumNumberOfCalls: 4, slowCalls: nil)
        )
        for outcome: CircuitBreaker.Outcome in [.failure, .failure, .success, .success, .success, .success, .failure, .failure] {
            #expect(try breaker.call(outcome) == nil)
        }
        // Seven failures out of eleven calls overall would already be over 60 %, but the window holds S S F F.
        #expect(breaker.snapshot(now: .origin).failureRate == 50)
        #expect(try breaker.call(.failure)?.to == .open)
    }

    @Test("a time-based window forgets calls older than its duration")
    func timeBasedWindowSlides() throws {
        let configuration = CircuitBreaker.Configuration(
            failureRateThreshold: 40,
            slidingWindow: .timeBased(seconds: 10),
            minimumNumberOfCalls: 3,
            slowCalls: nil
        )
        var breaker = CircuitBreaker(configuration: configuration)
        _ = try breaker.call(.failure, at: at(0))
        _ = try breaker.call(.failure, at: at(1))
        // Twenty seconds later both failures have left the window: 0 of 3 failed, not 2 of 5.
        for second in [20.0, 20.5, 21] {
            #expect(try breaker.call(.success, at: at(second)) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot(now: at(21)).bufferedCalls == 3)

        var fresh = CircuitBreaker(configuration: configuration)
        _ = try fresh.call(.failure, at: at(0))
        _ = try fresh.call(.success, at: at(5))
        #expect(try fresh.call(.failure, at: at(9.5))?.to == .open)
    }

    @Test("fails fast while open and says when to retry")
    func rejectsWhileOpen() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(100))

        #expect(breaker.acquirePermission(now: at(103)).permission == .rejected(retryAfter: .seconds(7)))
        #expect(breaker.acquirePermission(now: at(109.5)).permission == .rejected(retryAfter: .milliseconds(500)))
        let snapshot = breaker.snapshot(now: at(109.5))
        #expect(snapshot.notPermittedCalls == 2)
        #expect(snapshot.retryAfter == .milliseconds(500))
        #expect(breaker.state == .open)
    }

    @Test("after the wait duration, lets exactly the configured number of probes through")
    func halfOpenProbes() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(0))

        let first = breaker.acquirePermission(now: at(10))
        #expect(first.transition == CircuitBreaker.Transition(from: .open, to: .halfOpen))
        #expect(first.ticket != nil)
        #expect(breaker.state == .halfOpen)
        for _ in 0..<2 {
            let probe = breaker.acquirePermission(now: at(10))
            #expect(probe.ticket != nil)
            #expect(probe.transition == nil)
        }
        #expect(breaker.acquirePermission(now: at(11)).permission == .rejected(retryAfter: .zero))
        #expect(breaker.snapshot(now: at(11)).notPermittedCalls == 1)
    }

    @Test("closes when the probes succeed, with an empty window")
    func recoversToClosed() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(0))
        let tickets = (0..<3).compactMap { _ in breaker.acquirePermission(now: at(10)).ticket }
        #expect(tickets.count == 3)

        #expect(breaker.record(.success, for: tickets[0], now: at(10)) == nil)
        #expect(breaker.record(.failure, for: tickets[1], now: at(10)) == nil)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.record(.success, for: tickets[2], now: at(10)) == CircuitBreaker.Transition(from: .halfOpen, to: .closed))

        #expect(breaker.state == .closed)
        #expect(breaker.snapshot(now: at(10)).bufferedCalls == 0)
        #expect(breaker.acquirePermission(now: at(10)).ticket != nil)
    }

    @Test("re-opens when the probes fail, for another full wait")
    func reopens() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(0))
        let tickets = (0..<3).compactMap { _ in breaker.acquirePermission(now: at(10)).ticket }

        #expect(breaker.record(.failure, for: tickets[0], now: at(11)) == nil)
        #expect(breaker.record(.success, for: tickets[1], now: at(11)) == nil)
        #expect(breaker.record(.failure, for: tickets[2], now: at(12)) == CircuitBreaker.Transition(from: .halfOpen, to: .open))

        #expect(breaker.acquirePermission(now: at(12)).permission == .rejected(retryAfter: .seconds(10)))
        #expect(breaker.acquirePermission(now: at(22)).transition?.to == .halfOpen)
    }

    @Test("an ignored error frees a probe slot without counting")
    func ignoredErrorsInHalfOpen() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(0))
        let tickets = (0..<3).compactMap { _ in breaker.acquirePermission(now: at(10)).ticket }
        #expect(breaker.acquirePermission(now: at(10)).ticket == nil)

        #expect(breaker.record(.ignoredError, for: tickets[0], now: at(10)) == nil)
        let replacement = try #require(breaker.acquirePermission(now: at(10)).ticket)
        for ticket in [tickets[1], tickets[2]] {
            #expect(breaker.record(.success, for: ticket, now: at(10)) == nil)
        }
        #expect(breaker.record(.success, for: replacement, now: at(10))?.to == .closed)
    }

    @Test("ignored errors never count in the closed state")
    func ignoredErrorsInClosed() throws {
        var breaker = CircuitBreaker(configuration: small)
        for _ in 0..<10 {
            #expect(try breaker.call(.ignoredError) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot(now: .origin).bufferedCalls == 0)
    }

    @Test("outcomes of calls permitted before a state change are ignored")
    func staleTickets() throws {
        var breaker = CircuitBreaker(configuration: small)
        let slowCall = try #require(breaker.acquirePermission(now: at(0)).ticket)
        try breaker.trip(at: at(0))
        let probes = (0..<3).compactMap { _ in breaker.acquirePermission(now: at(10)).ticket }

        // The slow call started while closed reports during the half-open phase: not a probe.
        #expect(breaker.record(.failure, for: slowCall, now: at(11)) == nil)
        #expect(breaker.snapshot(now: at(11)).bufferedCalls == 0)
        for probe in probes.dropLast() {
            #expect(breaker.record(.success, for: probe, now: at(11)) == nil)
        }
        #expect(breaker.record(.success, for: probes[2], now: at(11))?.to == .closed)
        #expect(breaker.record(.failure, for: probes[0], now: at(11)) == nil)
    }

    @Test("slow successful calls open the breaker when slow-call detection is on")
    func slowCallsCount() throws {
        let slow = CircuitBreaker.Configuration.SlowCallPolicy(durationThreshold: .seconds(2), rateThreshold: 50)
        var breaker = CircuitBreaker(
            configuration: .init(slidingWindow: .countBased(size: 10), minimumNumberOfCalls: 4, slowCalls: slow)
        )
        #expect(try breaker.call(.success, lasting: .seconds(1)) == nil)
        #expect(try breaker.call(.success, lasting: .seconds(2)) == nil)  // at the threshold is not slow
        #expect(try breaker.call(.success, lasting: .seconds(3)) == nil)
        #expect(breaker.snapshot(now: .origin).slowCalls == 1)
        #expect(try breaker.call(.success, lasting: .seconds(30)) == CircuitBreaker.Transition(from: .closed, to: .open))
        let snapshot = breaker.snapshot(now: .origin)
        #expect(snapshot.slowCallRate == 50)
        #expect(snapshot.failureRate == 0)
    }

    @Test("a duration measured by the caller overrides the ticket's")
    func explicitDuration() throws {
        let slow = CircuitBreaker.Configuration.SlowCallPolicy(durationThreshold: .seconds(2), rateThreshold: 100)
        var breaker = CircuitBreaker(configuration: .init(slidingWindow: .countBased(size: 2), minimumNumberOfCalls: 2, slowCalls: slow))
        for _ in 0..<2 {
            let ticket = try #require(breaker.acquirePermission(now: .origin).ticket)
            breaker.record(.success, for: ticket, duration: .seconds(5), now: .origin)
        }
        #expect(breaker.state == .open)
    }

    @Test("slow calls do not count when slow-call detection is off")
    func slowCallsIgnoredWhenOff() throws {
        var breaker = CircuitBreaker(configuration: small)
        for _ in 0..<10 {
            #expect(try breaker.call(.success, lasting: .seconds(600)) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot(now: .origin).slowCallRate == nil)
    }

    @Test("slow probes re-open a half-open breaker")
    func slowProbes() throws {
        let slow = CircuitBreaker.Configuration.SlowCallPolicy(durationThreshold: .seconds(1), rateThreshold: 100)
        var breaker = CircuitBreaker(
            configuration: .init(
                slidingWindow: .countBased(size: 4),
                minimumNumberOfCalls: 4,
                waitDurationInOpenState: .seconds(10),
                permittedNumberOfCallsInHalfOpenState: 2,
                slowCalls: slow
            )
        )
        try breaker.trip(at: at(0))
        let probes = (0..<2).compactMap { _ in breaker.acquirePermission(now: at(10)).ticket }
        #expect(breaker.record(.success, for: probes[0], now: at(15)) == nil)
        #expect(breaker.record(.success, for: probes[1], now: at(15))?.to == .open)
    }

    @Test("reset closes an open breaker at once")
    func reset() throws {
        var breaker = CircuitBreaker(configuration: small)
        try breaker.trip(at: at(0))
        #expect(breaker.reset(now: at(1)) == CircuitBreaker.Transition(from: .open, to: .closed))
        #expect(breaker.acquirePermission(now: at(1)).ticket != nil)
        #expect(breaker.reset(now: at(1)) == nil)
    }
}
