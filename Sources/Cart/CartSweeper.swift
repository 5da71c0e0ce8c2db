import ServiceKit

/// Deletes expired carts (``SQLiteCartService/expireIdleCarts(limit:)``): at start, which catches up after downtime,
/// and every `interval` on its clock after that.
struct CartSweeper: Service {
    let name = "cart-sweeper"
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
