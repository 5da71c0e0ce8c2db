import ServiceKit

/// Releases expired reservations, every `interval`, for the life of the system.
struct ReservationSweeper: Service {
    let service: SQLiteInventoryService
    let interval: Duration
    var name: String { "inventory.reservation-sweeper" }

    func run() async throws {
        while !Task.isCancelled {
            // Sweeps in rounds of 500 until none is due, so a backlog after downtime clears at once.
            while try await service.sweepExpired(limit: 500) == 500, !Task.isCancelled {}
            try? await Task.sleep(for: interval)
        }
    }
}
