import Messaging
import ServiceKit

/// Folds the interaction log into the aggregates: at start (catching up after downtime), whenever a commit appended to
/// the log, and every `interval` on its clock in case a commit's wake-up was missed.
///
/// One pass folds everything pending, a few thousand interactions per transaction: while one transaction runs, the
/// events arriving meanwhile accumulate and are folded together by the next, so under load each commit carries many.
struct Learner: Service {
    let name = "recommendations-learner"
    /// Woken after every commit that appended to the log.
    let signal: WakeSignal
    /// The longest wait between two passes.
    let interval: Duration
    /// The clock it waits on.
    let clock: any ServiceClock
    /// One pass.
    let pass: @Sendable () async -> Void

    func run() async throws {
        while true {
            let seen = signal.generation
            await pass()
            await wait(after: seen, on: clock)
            try Task.checkCancellation()
        }
    }

    /// Waits for the next wake-up, at most `interval` on `clock` (opened, as the signal takes a plain `Clock`).
    private func wait(after seen: UInt64, on clock: some ServiceClock) async {
        await signal.wait(after: seen, timeout: interval, clock: clock)
    }
}
