import ServiceKit

/// Payments' background work on its clock (``SQLitePaymentsService/sweep()``): at start, which is what catches up
/// after downtime, and every `interval` after that.
struct PaymentsSweeper: Service {
    let name = "payments-sweeper"
    /// The time between two passes.
    let interval: Duration
    /// The clock it waits on: the system's, or a manual one in tests.
    let clock: any ServiceClock
    /// One pass.
    let pass: @Sendable () async -> Void

    func run() async throws {
        while true {
            await pass()
            try await clock.sleep(until: clock.now.advanced(by: interval))
        }
    }
}
