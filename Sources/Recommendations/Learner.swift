import Messaging
import ServiceKit

/// Folds the interaction log into the aggregates: at start (catching up after downtime), `gathering` after a commit
/// appended to the log, and every `interval` on its clock in case a commit's wake-up was missed.
///
/// One pass folds everything pending, a couple of thousand interactions per transaction. Waiting `gathering` after
/// the first wake-up lets what arrives meanwhile be folded together: a fold rewrites every product and neighbour list
/// it touches, so folding after each small commit (a reported view is one) spent the writer on the same rows again
/// and again and kept the views waiting behind it.
struct Learner: Service {
    let name = "recommendations-learner"
    /// Woken after every commit that appended to the log.
    let signal: WakeSignal
    /// The longest wait between two passes.
    let interval: Duration
    /// How long to gather interactions after a wake-up before folding them.
    let gathering: Duration
    /// The clock it waits on.
    let clock: any ServiceClock
    /// One pass.
    let pass: @Sendable () async -> Void

    func run() async throws {
        while true {
            let seen = signal.generation
            await pass()
            await wait(after: seen, on: clock)
            try await clock.sleep(until: clock.now.advanced(by: gathering))
        }
    }

    /// Waits for the next wake-up, at most `interval` on `clock` (opened, as the signal takes a plain `Clock`).
    private func wait(after seen: UInt64, on clock: some ServiceClock) async {
        await signal.wait(after: seen, timeout: interval, clock: clock)
    }
}
