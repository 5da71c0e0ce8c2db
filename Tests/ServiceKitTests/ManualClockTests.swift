import ServiceKit
import Testing

@Suite("Manual clock")
struct ManualClockTests {
    @Test("time moves only when advanced")
    func standsStill() {
        let clock = ManualClock(now: .origin + .seconds(5))
        #expect(clock.now == .origin + .seconds(5))
        clock.advance(by: .milliseconds(250))
        #expect(clock.now == .origin + .milliseconds(5250))
        clock.advance(to: .origin + .seconds(1))
        #expect(clock.now == .origin + .milliseconds(5250))
    }

    @Test("sleepers wake when the clock reaches their deadline, not before")
    func wakesSleepersAtTheirDeadline() async throws {
        let clock = ManualClock()
        let woken = LockedValue<[Int]>([])
        let sleepers = (1...3).map { seconds in
            Task {
                try await clock.sleep(until: .origin + .seconds(seconds))
                woken.withLock { $0.append(seconds) }
            }
        }
        try await clock.waitForSleepers(count: 3)
        #expect(clock.nextDeadline == .origin + .seconds(1))

        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .milliseconds(1))
        #expect(clock.sleeperCount == 1)
        try await sleepers[0].value
        try await sleepers[1].value
        #expect(Set(woken.value) == [1, 2])

        clock.advance(to: .origin + .seconds(3))
        try await sleepers[2].value
        #expect(clock.sleeperCount == 0)
    }

    @Test("a sleep whose deadline has passed returns at once")
    func pastDeadline() async throws {
        let clock = ManualClock(now: .origin + .seconds(10))
        try await clock.sleep(until: .origin + .seconds(3))
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test("a cancelled sleeper throws and leaves the clock")
    func cancellation() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        try await clock.waitForSleepers()
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}
