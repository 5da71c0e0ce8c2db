import ServiceKit

/// Finishes the steps Inventory has not confirmed (``SQLiteWarehouseService/finishPending()``): at start, which
/// is what picks up after a crash, and every `interval` on its clock after that, for calls that failed since.
struct PendingStepsRecovery: Service {
    let name = "warehouse-recovery"
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
