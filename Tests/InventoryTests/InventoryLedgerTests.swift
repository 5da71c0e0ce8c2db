import CatalogAPI
import Commerce
import Foundation
import Inventory
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import Storage
import TestSupport
import Testing

/// Inventory's service on a clock the test moves, for expiry, and hammered directly for the ledger.
struct InventoryService {
    let directory: TemporaryDirectory
    let database: Database
    let service: SQLiteInventoryService
    let time = TestTime()

    init(hold: Duration = .seconds(900)) async throws {
        directory = try TemporaryDirectory()
        database = try Database(path: directory.path("inventory.sqlite"))
        try Module.inventory.migrate(database)
        let time = time
        service = SQLiteInventoryService(
            database: database,
            outbox: Outbox(database: database, name: "inventory"),
            configuration: .init(reservationHold: hold),
            now: { time.now }
        )
        try await service.addWarehouses([
            Warehouse(id: "berlin", name: "Berlin", city: "Berlin", country: "DE", priority: 1),
            Warehouse(id: "rotterdam", name: "Rotterdam", city: "Rotterdam", country: "NL", priority: 2),
        ])
    }
}

@Suite struct InventoryLedgerTests {
    @Test func heldReservationsExpireOnTheClockAndGiveTheirStockBack() async throws {
        let fixture = try await InventoryService(hold: .seconds(60))
        try await fixture.service.receiveInitialStock([("p-1", "berlin", 5)], reference: "seed")
        _ = try await fixture.service.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 2))))
        _ = try await fixture.service.reserve(ReservationRequest(orderId: "o-2", lines: lines(("p-1", 2)), holdSeconds: 600))
        _ = try await fixture.service.reserve(ReservationRequest(orderId: "o-3", lines: lines(("p-1", 1))))
        _ = try await fixture.service.commit(StockCommitment(orderId: "o-3", warehouse: "berlin"))
        #expect(try await fixture.service.sweepExpired() == 0)

        fixture.time.advance(seconds: 59)
        #expect(try await fixture.service.sweepExpired() == 0, "not yet")
        fixture.time.advance(seconds: 2)
        #expect(try await fixture.service.sweepExpired() == 1)
        #expect(try await fixture.service.reservation("o-1").status == .expired)
        #expect(try await fixture.service.reservation("o-2").status == .held)
        // Extending keeps o-2 past its first deadline; the shipped o-3 never expires.
        _ = try await fixture.service.extend(ReservationExtension(orderId: "o-2", holdSeconds: 3600))
        fixture.time.advance(seconds: 1200)
        #expect(try await fixture.service.sweepExpired() == 0)
        #expect(try await fixture.service.reservation("o-3").status == .committed)
        #expect(try await fixture.service.stock("p-1").warehouses.first.map { [$0.onHand, $0.reserved] } == [4, 2])
        let expired = try await fixture.database.read { try $0.query("SELECT subject FROM outbox WHERE type = ?", [ReservationExpired.eventType]) }
        #expect(try expired.map { try $0["subject"] as String } == ["o-1"])
        await #expect(throws: InventoryError.reservationNotHeld("o-1", .expired)) {
            try await fixture.service.commit(StockCommitment(orderId: "o-1", warehouse: "berlin"))
        }
    }

    /// 10,000 random operations of every kind; afterwards the stored figures are exactly the ledger's sums, and
    /// nothing is negative or oversold.
    @Test func theLedgerAccountsForEveryFigureAfterTenThousandRandomOperations() async throws {
        // Two seconds of work that never waits: on a thread of its own rather than one of the two the whole suite
        // shares, where it starved timing-sensitive tests running beside it.
        try await withTaskExecutorPreference(OwnThreadExecutor(label: "inventory-tests.ledger")) {
            try await mixTenThousandOperations()
        }
    }

    private func mixTenThousandOperations() async throws {
        let fixture = try await InventoryService(hold: .seconds(30))
        let service = fixture.service
        let products = (1...8).map { ProductID(rawValue: "p-\($0)") }
        let warehouses: [WarehouseID] = ["berlin", "rotterdam"]
        try await service.receiveInitialStock(products.flatMap { p in warehouses.map { (p, $0, 20) } }, reference: "seed")
        var random = SplitMix(seed: 2026)
        var orders: [OrderID] = []
        var refused = 0
        for step in 0..<10_000 {
            let product = products[Int(random.next() % 8)]
            let warehouse = warehouses[Int(random.next() % 2)]
            do {
                switch random.next() % 10 {
                case 0, 1, 2:
                    let order = OrderID(rawValue: "o-\(step)")
                    let second = products[Int(random.next() % 8)]
                    var wanted = [ReservationLine(productId: product, quantity: quantity(Int(random.next() % 6) + 1))]
                    if second != product { wanted.append(ReservationLine(productId: second, quantity: quantity(Int(random.next() % 3) + 1))) }
                    _ = try await service.reserve(ReservationRequest(orderId: order, lines: wanted))
                    orders.append(order)
                case 3:
                    if let order = orders.randomElement(using: &random) { _ = try await service.release(order) }
                case 4, 5:
                    if let order = orders.randomElement(using: &random) {
                        _ = try await service.commit(StockCommitment(orderId: order, warehouse: warehouse))
                    }
                case 6:
                    let delta = Int(random.next() % 11) - 5
                    if delta != 0 {
                        _ = try await service.adjust(StockAdjustment(productId: product, warehouse: warehouse, delta: delta, reason: "count"))
                    }
                case 7:
                    let reference = "po-\(random.next() % 500)"
                    _ = try await service.receive(
                        StockReceipt(reference: reference, kind: .purchaseOrder, productId: product, warehouse: warehouse, quantity: quantity(5))
                    )
                case 8:
                    _ = try await service.receive(
                        StockReceipt(reference: "r-\(step)", kind: .return, productId: product, warehouse: warehouse, quantity: quantity(1))
                    )
                default:
                    fixture.time.advance(seconds: 7)
                    _ = try await service.sweepExpired()
                }
            } catch let error as InventoryError {
                switch error {
                case .insufficientStock, .reservationNotHeld, .adjustmentBelowReserved: refused += 1
                default: throw error
                }
            }
        }
        let check = try await service.checkLedger()
        #expect(check.checked == 16)
        #expect(check.mismatches == [])
        #expect(refused > 100, "the mix ran into every refusal, \(refused) times")
        let negative = try await fixture.database.read {
            try $0.scalar(Int.self, "SELECT count(*) FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand")
        }
        #expect(negative == 0)
        // What held reservations hold is what is reserved, per product and warehouse.
        let held = try await fixture.database.read { connection in
            try connection.scalar(
                Int.self,
                """
                SELECT count(*) FROM stock s WHERE s.reserved != (SELECT coalesce(sum(quantity), 0) FROM allocation a
                    WHERE a.product_id = s.product_id AND a.warehouse_id = s.warehouse_id AND a.state = 'held')
                """
            )
        }
        #expect(held == 0)
    }

    @Test func aFirstStartStocksEveryCatalogProductInTwoWarehousesOnce() async throws {
        let products = (1...60).map { number in
            Product(
                id: ProductID(rawValue: String(format: "p-%05d", number)),
                sku: "S-\(number)",
                name: "Product \(number)",
                description: "",
                price: Money(minorUnits: 100, currency: "EUR"),
                images: [],
                attributes: [:],
                category: "misc",
                active: true,
                version: 1
            )
        }
        try await ModuleHarness.run(.inventory, mocks: [MockCatalog.listing(products).service]) { harness in
            #expect(harness.notes == ["stocked 60 products in 2 warehouses"])
            let inventory = InventoryClient(client: harness.client)
            #expect(try await inventory.warehouses().map(\.id) == ["berlin", "rotterdam"])
            var statuses: [StockStatus: Int] = [:]
            for product in products { statuses[try await inventory.availability(product.id).status, default: 0] += 1 }
            #expect(statuses[.inStock, default: 0] > 40)
            #expect(statuses[.outOfStock, default: 0] >= 1)
            #expect(statuses[.lowStock, default: 0] >= 1)
            // Every later start leaves the stock alone.
            #expect(try await harness.host.seed() == [])
            #expect(try await inventory.checkLedger().mismatches.isEmpty)
        }
    }
}

/// A seeded generator, so a failing mix can be run again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
