import Commerce
import Foundation
import Inventory
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import Storage
import Synchronization

/// Inventory figures: reservations per second without contention and with 32 tasks on the same 10 products (with
/// the oversell check), the same when those products run out (every unit held, not one more), and the time to
/// sweep 100,000 expired reservations.
struct InventorySuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        try await reportMedian("inventory.reserve.uncontended", unit: "reservations/s", options: options) {
            try await reservations(tasks: 1, products: 10_000, options: options)
        }
        try await reportMedian("inventory.reserve.32-tasks-10-products", unit: "reservations/s", options: options) {
            try await reservations(tasks: 32, products: 10, options: options)
        }
        try await reportMedian("inventory.reserve.32-tasks-10-products-running-out", unit: "answers/s", options: options) {
            try await reservations(tasks: 32, products: 10, units: 250, options: options)
        }
        try await reportMedian("inventory.sweep.100k-expired", unit: "ms", options: options) {
            try await sweep(expired: 100_000)
        }
    }

    /// A service over a fresh file with two warehouses, on a clock the benchmark moves.
    private func inventory(time: Clock) async throws -> (SQLiteInventoryService, Database, ScratchDirectory) {
        let scratch = try ScratchDirectory()
        let database = try Database(path: scratch.path("inventory.sqlite"))
        try Module.inventory.migrate(database)
        let service = SQLiteInventoryService(
            database: database,
            outbox: Outbox(database: database, name: "inventory"),
            configuration: .init(reservationHold: .seconds(60)),
            now: { time.now }
        )
        try await service.addWarehouses([
            Warehouse(id: "berlin", name: "Berlin", city: "Berlin", country: "DE", priority: 1),
            Warehouse(id: "rotterdam", name: "Rotterdam", city: "Rotterdam", country: "NL", priority: 2),
        ])
        return (service, database, scratch)
    }

    /// Reservations of one unit of one product each, from `tasks` tasks at once, for one run's duration. With
    /// few products and many tasks every reservation competes for the same rows; the stock is checked afterwards
    /// never to be oversold. With `units` per product (half in each warehouse) the stock runs out during the run: a
    /// reservation refused as short must be of a product with nothing left, every unit held and not one more, and
    /// the rate counts both answers.
    private func reservations(tasks: Int, products: Int, units: Int = 1_000_000, options: BenchmarkOptions) async throws -> Double {
        let (service, database, scratch) = try await inventory(time: Clock())
        defer { _ = scratch }
        let ids = (0..<products).map { ProductID(rawValue: String(format: "p-%05d", $0)) }
        try await service.receiveInitialStock(
            ids.flatMap { id -> [(ProductID, WarehouseID, Int)] in [(id, "berlin", units / 2), (id, "rotterdam", units - units / 2)] },
            reference: "seed"
        )
        let one = try Quantity(1)
        let clock = ContinuousClock()
        let deadline = clock.now + options.runDuration
        let start = clock.now
        let (counts, refused, short) = try await withThrowingTaskGroup(of: (held: Int, refused: Int, short: Set<ProductID>).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var (count, refused, short) = (0, 0, Set<ProductID>())
                    repeat {
                        let product = ids[(task * 7919 + count + refused) % ids.count]
                        do {
                            _ = try await service.reserve(
                                ReservationRequest(
                                    orderId: OrderID(rawValue: "o-\(task)-\(count + refused)"),
                                    lines: [ReservationLine(productId: product, quantity: one)]
                                )
                            )
                            count += 1
                        } catch InventoryError.insufficientStock {
                            refused += 1
                            short.insert(product)
                        }
                    } while clock.now < deadline
                    return (count, refused, short)
                }
            }
            return try await group.reduce((0, 0, Set<ProductID>())) { ($0.0 + $1.held, $0.1 + $1.refused, $0.2.union($1.short)) }
        }
        let elapsed = (clock.now - start) / .seconds(1)
        // The oversell check: what is reserved is what was asked, and nothing is above what is on hand.
        let reserved = try await database.read { try $0.scalar(Int.self, "SELECT sum(reserved) FROM stock") } ?? 0
        let oversold = try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM stock WHERE reserved > on_hand") } ?? 0
        guard reserved == counts, oversold == 0 else {
            Progress.fail("reserved \(reserved) units for \(counts) reservations; \(oversold) rows oversold")
        }
        // Refused only when nothing was left: every unit of a product refused is held, not one more or less.
        for product in short {
            let left = try await database.read {
                try $0.scalar(Int.self, "SELECT sum(on_hand - reserved) FROM stock WHERE product_id = ?", [product.rawValue])
            }
            guard left == 0 else { Progress.fail("\(product.rawValue) was refused as short with \(left ?? -1) units left") }
        }
        return Double(counts + refused) / elapsed
    }

    /// 100,000 held reservations whose hold has passed, released by the sweeper's rounds of 500; in milliseconds.
    private func sweep(expired: Int) async throws -> Double {
        let time = Clock()
        let (service, database, scratch) = try await inventory(time: time)
        defer { _ = scratch }
        let ids = (0..<1000).map { ProductID(rawValue: String(format: "p-%05d", $0)) }
        try await service.receiveInitialStock(ids.map { id -> (ProductID, WarehouseID, Int) in (id, "berlin", expired) }, reference: "seed")
        let one = try Quantity(1)
        Progress.say("  inventory: holding \(expired) reservations")
        for number in 0..<expired {
            _ = try await service.reserve(
                ReservationRequest(
                    orderId: OrderID(rawValue: "o-\(number)"),
                    lines: [ReservationLine(productId: ids[number % ids.count], quantity: one)]
                )
            )
        }
        time.advance(seconds: 120)
        let clock = ContinuousClock()
        let start = clock.now
        var swept = 0
        while true {
            let round = try await service.sweepExpired(limit: 500)
            swept += round
            if round < 500 { break }
        }
        let elapsed = clock.now - start
        let held = try await database.read { try $0.scalar(Int.self, "SELECT sum(reserved) FROM stock") } ?? -1
        guard swept == expired, held == 0 else { Progress.fail("swept \(swept) of \(expired); \(held) units still reserved") }
        return elapsed / .milliseconds(1)
    }

    /// The time the service sees, moved by the benchmark.
    final class Clock: Sendable {
        private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { current.withLock { $0 } }
        func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }
}
