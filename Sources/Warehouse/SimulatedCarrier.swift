import ServiceKit

/// The simulated carrier and supplier: every `interval` on its clock, each active shipment moves one step and
/// each purchase order comes one step closer (``SQLiteWarehouseService/carrierStep()``).
struct SimulatedCarrier: Service {
    let name = "warehouse-carrier"
    /// The time between two steps.
    let interval: Duration
    /// The clock it waits on: the system's, or a manual one in tests.
    let clock: any ServiceClock
    /// One step.
    let step: @Sendable () async -> Void

    func run() async throws {
        while true {
            try await clock.sleep(until: clock.now.advanced(by: interval))
            await step()
        }
    }
}
