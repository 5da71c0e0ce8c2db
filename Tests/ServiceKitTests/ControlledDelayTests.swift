import ServiceKit
import Testing

@Suite struct ControlledDelayTests {
    /// A request that waited `waited` ms, `at` ms after the start.
    private struct Requests {
        var delay = ControlledDelay(target: .milliseconds(5), interval: .milliseconds(100))
        let start = ContinuousClock.now

        mutating func admits(_ waited: Int, from source: UInt64 = 0, at milliseconds: Int) -> Bool {
            delay.admits(.milliseconds(waited), from: source, at: start + .milliseconds(milliseconds))
        }
    }

    @Test func aBurstIsAbsorbedAndAQueueThatStoodForAnIntervalIsShedUntilAnIntervalShowsItGone() {
        var requests = Requests()
        var answers: [Bool] = []
        answers.append(requests.admits(1, at: 0))
        // Over the target but not yet standing: a burst, let through however long it waited.
        answers.append(requests.admits(40, at: 10))
        answers.append(requests.admits(90, at: 60))
        answers.append(requests.admits(250, at: 70))
        #expect(answers == [true, true, true, true])
        #expect(!requests.delay.congested)

        // Most requests of that interval waited over the target: a queue stands, and through the next interval what
        // waited over the target is shed; what waited less goes on.
        answers = [requests.admits(6, at: 110), requests.admits(30, at: 150), requests.admits(4, at: 160), requests.admits(30, at: 170)]
        #expect(answers == [false, false, true, false])
        #expect(requests.delay.congested)

        // A few short waits do not say the queue has gone: the interval was mostly over the target, so the next is too.
        answers = [requests.admits(1, at: 215), requests.admits(2, at: 230), requests.admits(30, at: 250), requests.admits(1, at: 260)]
        #expect(answers == [true, true, false, true])
        #expect(requests.delay.congested)

        // An interval of mostly short waits does: the queue was worked off, and a burst is absorbed again.
        let afterQueue = requests.admits(30, at: 320)
        #expect(afterQueue)
        #expect(!requests.delay.congested)
    }

    @Test func aFewClientsRequestsOneAfterAnotherAreNotAQueue() {
        var requests = Requests(delay: ControlledDelay(target: .milliseconds(5), interval: .milliseconds(100), minimumSources: 8))
        // Two clients, forty requests over 200 ms, each having waited 8 ms for other work: not a queue of requests.
        let answers = (0..<40).map { requests.admits(8, from: UInt64($0 % 2), at: $0 * 5) }
        #expect(answers.allSatisfy { $0 })
        #expect(!requests.delay.congested)
        // Eight clients' are.
        for step in 0..<40 { _ = requests.admits(8, from: UInt64(step % 8), at: 200 + step * 5) }
        #expect(requests.delay.congested)
    }

    @Test func aPauseLongerThanTheIntervalEndsTheCongestion() {
        var requests = Requests()
        for step in 0...12 { _ = requests.admits(20, at: step * 10) }
        #expect(requests.delay.congested)
        let duringCongestion = requests.admits(20, at: 130)
        // Nothing came for 200 ms: the next request is judged afresh, as the start of a burst.
        let afterPause = requests.admits(20, at: 330)
        #expect(!duringCongestion && afterPause)
        #expect(!requests.delay.congested)
    }
}
