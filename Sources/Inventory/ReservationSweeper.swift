import ServiceKit

/// Releases expired reservations, every `interval`, for the life of the system.
struct ReservationSweeper: Service {
    let service: SQLiteInventoryService
    let interval: Duration
    /// The clock it waits on: the system's, or a manual one in tests.
    let clock: any ServiceClock
    var name: String { "inventory.reservation-sweeper" }

    func run() async throws {
        while !Task.isCancelled {
            do {
                // Sweeps in rounds of 500 until none is due, so a backlog after downtime clears at once.
                while try await service.sweepExpired(limit: 500) == 500, !Task.isCancelled {}
            } catch let error where error.serviceUnavailability != nil {
                // The disk is full (or read-only): the next round tries again. Thrown, it would end the sweeper, and a
                // service that ends stops the whole process.
            }
            try? await clock.sleep(until: clock.now.advanced(by: interval))
        }
    }
}
