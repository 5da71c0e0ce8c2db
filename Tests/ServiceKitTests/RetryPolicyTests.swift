import ServiceKit
import Testing

@Suite("Retry policy: backoff and jitter")
struct RetryPolicyTests {
    private func delays(_ policy: RetryPolicy, seed: UInt64, count: Int) -> [Duration] {
        var random = SplitMix64(seed: seed)
        var previous: Duration?
        return (1...count).map { retry in
            let delay = policy.delay(beforeRetry: retry, previousDelay: previous, using: &random)
            previous = delay
            return delay
        }
    }

    @Test("without jitter, delays double from the base delay and stop at the maximum")
    func exponentialWithoutJitter() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), multiplier: 2, maxDelay: .seconds(1), jitter: .none)
        #expect(
            delays(policy, seed: 1, count: 7) == [100, 200, 400, 800, 1000, 1000, 1000].map { .milliseconds($0) }
        )
        #expect(policy.delayCeiling(beforeRetry: 1_000) == .seconds(1))
    }

    @Test("full jitter stays between zero and the exponential ceiling", arguments: 0..<50 as Range<UInt64>)
    func fullJitterBounds(seed: UInt64) {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), multiplier: 2, maxDelay: .seconds(2), jitter: .full)
        for (index, delay) in delays(policy, seed: seed, count: 8).enumerated() {
            #expect(delay >= .zero)
            #expect(delay <= policy.delayCeiling(beforeRetry: index + 1))
            #expect(delay <= .seconds(2))
        }
    }

    @Test("full jitter grows with the ceiling and spreads clients apart")
    func fullJitterGrowsAndSpreads() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), multiplier: 2, maxDelay: .seconds(60), jitter: .full)
        let clients = (0..<200 as Range<UInt64>).map { delays(policy, seed: $0, count: 6) }
        let averageFirst = clients.map { $0[0] }.reduce(.zero, +) / clients.count
        let averageSixth = clients.map { $0[5] }.reduce(.zero, +) / clients.count
        // Expected means are 50 ms and 1.6 s.
        #expect(averageFirst > .milliseconds(35) && averageFirst < .milliseconds(65))
        #expect(averageSixth > .milliseconds(1300) && averageSixth < .milliseconds(1900))
        #expect(Set(clients.map { $0[5] }).count > 190)
    }

    @Test("decorrelated jitter stays between the base delay and the previous delay times the multiplier, capped", arguments: 0..<50 as Range<UInt64>)
    func decorrelatedJitterBounds(seed: UInt64) {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), multiplier: 3, maxDelay: .seconds(3), jitter: .decorrelated)
        var previous = Duration.milliseconds(100)
        for delay in delays(policy, seed: seed, count: 10) {
            #expect(delay >= .milliseconds(100))
            #expect(delay <= min(.seconds(3), previous * 3))
            previous = delay
        }
    }

    @Test("the same seed gives the same delays")
    func deterministic() {
        let policy = RetryPolicy(jitter: .full)
        #expect(delays(policy, seed: 42, count: 5) == delays(policy, seed: 42, count: 5))
        #expect(delays(policy, seed: 42, count: 5) != delays(policy, seed: 43, count: 5))
    }
}
