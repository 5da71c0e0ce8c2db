import Commerce
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Warehouse
import WarehouseAPI

/// The warehouse module alone, through the wiring it runs with: its own database, a real bus, calls through the
/// serialized transport, and a mock of Inventory that fails the test when called unexpectedly.
struct WarehouseFixture {
    let harness: ModuleHarness
    let warehouse: WarehouseClient

    @discardableResult
    static func with<Result: Sendable>(
        _ inventory: MockInventory,
        settings: [String: String] = [:],
        module: Module = .warehouse,
        _ body: (WarehouseFixture) async throws -> Result
    ) async throws -> Result {
        try await ModuleHarness.run(module, mocks: [inventory.service], settings: ModuleSettings(settings)) { harness in
            try await body(WarehouseFixture(harness: harness, warehouse: WarehouseClient(client: harness.client)))
        }
    }

    /// The events the module committed to its outbox, in commit order.
    func events() async throws -> [Envelope] {
        try await harness.database.read { connection in
            try connection.query("SELECT type, subject, data FROM outbox ORDER BY seq").map { row in
                Envelope(source: "/emporium/warehouse", type: try row["type"], subject: try row["subject"], data: try row["data"])
            }
        }
    }

    /// The types of the events about `order`, in commit order.
    func eventTypes(of order: OrderID) async throws -> [String] {
        try await events().filter { $0.subject == order.rawValue }.map(\.type)
    }
}

/// A reservation of `order` holding `allocations` as (product, warehouse, units).
func reservation(
    _ order: OrderID,
    _ allocations: [(String, String, Int)],
    status: Reservation.Status = .held,
    committed: [WarehouseID] = []
) -> Reservation {
    Reservation(
        orderId: order,
        status: status,
        expiresAt: Date(timeIntervalSince1970: 2_000_000_000),
        allocations: allocations.map { Allocation(productId: ProductID(rawValue: $0.0), warehouse: WarehouseID(rawValue: $0.1), quantity: $0.2) },
        committedWarehouses: committed
    )
}

/// What Inventory answers for a product's stock; Warehouse does not read it.
func stock(_ product: ProductID) -> ProductStock {
    ProductStock(productId: product, warehouses: [], lowStockThreshold: 5)
}

/// Inventory's report that `product` ran low in `warehouse`.
func stockLow(_ product: ProductID, in warehouse: WarehouseID, available: Int) throws -> Envelope {
    try Envelope(
        StockLow(productId: product, warehouse: warehouse, available: available, totalAvailable: available, threshold: 5),
        source: "/emporium/inventory",
        subject: product.rawValue
    )
}

/// Inventory holding `order` as `allocations`, counting every commit in `commits` and extending as asked.
func inventoryHolding(_ order: OrderID, _ allocations: [(String, String, Int)], commits: CallRecorder<StockCommitment>) -> MockInventory {
    var inventory = MockInventory()
    inventory.onReservation = { _ in reservation(order, allocations) }
    inventory.onExtend = { _ in reservation(order, allocations) }
    inventory.onCommit = { commitment in
        commits.record(commitment)
        return reservation(order, allocations, committed: [commitment.warehouse])
    }
    return inventory
}

/// A switch a test flips while a mock reads it.
final class Switch: Sendable {
    private let state: Mutex<Bool>
    init(_ on: Bool) { state = Mutex(on) }
    var isOn: Bool { state.withLock { $0 } }
    func set(_ on: Bool) { state.withLock { $0 = on } }
}

/// What a mock throws for a call that does not arrive: an error Inventory does not declare.
struct InventoryDown: Error {}
