import CatalogAPI
import Commerce
import Foundation
import Inventory
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// A clock the test moves.
final class TestTime: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

func quantity(_ value: Int) -> Quantity {
    // Test values are always valid.
    (try? Quantity(value))!
}

func lines(_ items: (String, Int)...) -> [ReservationLine] {
    items.map { ReservationLine(productId: ProductID(rawValue: $0.0), quantity: quantity($0.1)) }
}

/// Inventory through the module harness: its own database, the serialized transport, stock set by adjustments.
struct InventoryFixture {
    let harness: ModuleHarness
    let inventory: InventoryClient

    static func with<Result: Sendable>(
        replicas: Int = 1,
        stock: [(String, WarehouseID, Int)] = [],
        _ body: (InventoryFixture) async throws -> Result
    ) async throws -> Result {
        try await ModuleHarness.run(.inventory, settings: ModuleSettings(["inventory.seed": "none"]), replicas: replicas) { harness in
            let fixture = InventoryFixture(harness: harness, inventory: InventoryClient(client: harness.client))
            for (product, warehouse, units) in stock {
                _ = try await fixture.inventory.adjust(
                    StockAdjustment(productId: ProductID(rawValue: product), warehouse: warehouse, delta: units, reason: "count")
                )
            }
            return try await body(fixture)
        }
    }

    /// The events in the outbox, oldest first.
    func events() async throws -> [(type: String, subject: String?)] {
        try await harness.database.read { connection in
            try connection.query("SELECT type, subject FROM outbox ORDER BY seq").map { (try $0["type"] as String, try $0["subject"] as String?) }
        }
    }
}

@Suite struct InventoryTests {
    @Test func aReservationComesFromOneWarehouseWhenOneCanHoldItAllElseSplitsByPriority() async throws {
        let stock: [(String, WarehouseID, Int)] = [("p-1", "berlin", 3), ("p-1", "rotterdam", 10), ("p-2", "rotterdam", 5)]
        try await InventoryFixture.with(stock: stock) { fixture throws in
            // Berlin (priority 1) cannot hold both lines; Rotterdam can: the whole order comes from Rotterdam.
            let whole = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 2), ("p-2", 1))))
            #expect(whole.status == .held)
            #expect(Set(whole.allocations.map(\.warehouse)) == ["rotterdam"])
            // Ten of p-1 fit in no single warehouse: split, Berlin first.
            let split = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-2", lines: lines(("p-1", 10))))
            #expect(
                split.allocations == [
                    Allocation(productId: "p-1", warehouse: "berlin", quantity: 3), Allocation(productId: "p-1", warehouse: "rotterdam", quantity: 7),
                ]
            )
            let levels = try await fixture.inventory.stock("p-1").warehouses
            #expect(levels.map(\.reserved) == [3, 9])
            #expect(levels.map(\.available) == [0, 1])
            // The same order again is the same reservation, and holds nothing more.
            #expect(try await fixture.inventory.reserve(ReservationRequest(orderId: "o-2", lines: lines(("p-1", 10)))) == split)
            #expect(try await fixture.inventory.availability("p-1") == Availability(productId: "p-1", available: 1, status: .lowStock))
        }
    }

    @Test func everyReservationIsListedPageByPageInOrderIdOrder() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 50)]) { fixture throws in
            for number in [3, 1, 5, 2, 4] {
                _ = try await fixture.inventory.reserve(ReservationRequest(orderId: OrderID(rawValue: "o-\(number)"), lines: lines(("p-1", 1))))
            }
            _ = try await fixture.inventory.release("o-2")
            let first = try await fixture.inventory.reservations(ReservationQuery(limit: 2))
            #expect(first.items.map(\.orderId) == ["o-1", "o-2"])
            #expect(first.items.map(\.status) == [.held, .released])
            let second = try await fixture.inventory.reservations(ReservationQuery(after: first.nextAfter, limit: 2))
            #expect(second.items.map(\.orderId) == ["o-3", "o-4"])
            let last = try await fixture.inventory.reservations(ReservationQuery(after: second.nextAfter, limit: 2))
            #expect(last.items.map(\.orderId) == ["o-5"])
            #expect(last.nextAfter == nil)
            await #expect(throws: InventoryError.invalid("must be between 1 and 1000", field: "limit")) {
                try await fixture.inventory.reservations(ReservationQuery(limit: 0))
            }
        }
    }

    @Test func stockIsListedPageByPageWithTheLowProductsAndWarehousesMarked() async throws {
        let stock: [(String, WarehouseID, Int)] = [
            ("p-1", "berlin", 50), ("p-1", "rotterdam", 40), ("p-2", "berlin", 3), ("p-3", "berlin", 20), ("p-3", "rotterdam", 2),
            ("p-4", "berlin", 1), ("p-4", "berlin", -1), ("p-5", "berlin", 8), ("p-6", "berlin", 4),
        ]
        try await InventoryFixture.with(stock: stock) { fixture throws in
            _ = try await fixture.inventory.setThreshold(LowStockThreshold(productId: "p-5", threshold: 10))
            _ = try await fixture.inventory.setThreshold(LowStockThreshold(productId: "p-6", threshold: 0))
            var pages: [StockPage] = [try await fixture.inventory.stockLevels(StockQuery(limit: 2))]
            while let cursor = pages.last?.nextCursor { pages.append(try await fixture.inventory.stockLevels(StockQuery(cursor: cursor, limit: 2))) }
            #expect(pages.map { $0.items.map(\.productId.rawValue) } == [["p-1", "p-2"], ["p-3", "p-4"], ["p-5", "p-6"]])
            let all = Dictionary(uniqueKeysWithValues: pages.flatMap(\.items).map { ($0.productId, $0) })

            let p1 = try #require(all["p-1"])
            #expect(p1.warehouses.map(\.warehouse) == ["berlin", "rotterdam"])
            #expect(p1.warehouses.map(\.available) == [50, 40])
            #expect(p1.available == 90)
            #expect(p1.lowStockThreshold == 5)
            #expect(p1.status == .inStock && !p1.low && p1.lowWarehouses.isEmpty)
            // In stock overall, but Rotterdam holds no more than the threshold.
            let p3 = try #require(all["p-3"])
            #expect(p3.status == .inStock && !p3.low)
            #expect(p3.lowWarehouses == ["rotterdam"])
            let p2 = try #require(all["p-2"])
            #expect(p2.status == .lowStock && p2.low)
            #expect(p2.lowWarehouses == ["berlin", "rotterdam"])
            #expect(all["p-4"]?.status == .outOfStock)
            #expect(all["p-5"]?.lowStockThreshold == 10)
            #expect(all["p-5"]?.status == .lowStock)
            // A threshold of 0 turns the warning off: only out of stock would count.
            let p6 = try #require(all["p-6"])
            #expect(!p6.low && p6.lowWarehouses.isEmpty)

            let low = try await fixture.inventory.stockLevels(StockQuery(lowOnly: true))
            #expect(low.items.map(\.productId) == ["p-2", "p-4", "p-5"])
            #expect(low.nextCursor == nil)

            // What is reserved is not available: a large order makes p-1 low, and the low pages follow.
            _ = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 86))))
            let first = try await fixture.inventory.stockLevels(StockQuery(lowOnly: true, limit: 2))
            #expect(first.items.map(\.productId) == ["p-1", "p-2"])
            #expect(first.items.first?.warehouses.map(\.reserved) == [50, 36])
            let second = try await fixture.inventory.stockLevels(StockQuery(lowOnly: true, cursor: first.nextCursor, limit: 2))
            #expect(second.items.map(\.productId) == ["p-4", "p-5"])
            #expect(second.nextCursor == nil)

            await #expect(throws: InventoryError.invalid("must be between 1 and 100", field: "limit")) {
                try await fixture.inventory.stockLevels(StockQuery(limit: 101))
            }
        }
    }

    @Test func shortStockNamesEveryShortLineWithWhatIsLeftAndHoldsNothing() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 3), ("p-2", "berlin", 5)]) { fixture throws in
            let request = ReservationRequest(orderId: "o-1", lines: lines(("p-1", 4), ("p-2", 5), ("p-3", 1)))
            await #expect(
                throws: InventoryError.insufficientStock([
                    .init(productId: "p-1", requested: 4, available: 3), .init(productId: "p-3", requested: 1, available: 0),
                ])
            ) { try await fixture.inventory.reserve(request) }
            // All or nothing: p-2, which was there, is not held either, and there is no reservation.
            #expect(try await fixture.inventory.stock("p-2").warehouses.first?.reserved == 0)
            await #expect(throws: InventoryError.reservationNotFound("o-1")) { try await fixture.inventory.reservation("o-1") }
            #expect(
                InventoryError.insufficientStock([
                    .init(productId: "p-1", requested: 4, available: 3), .init(productId: "p-3", requested: 1, available: 0),
                ]).detail
                    == "Not enough stock for 2 lines: p-1: 4 requested, only 3 available; p-3: 1 requested, none available."
            )
        }
    }

    @Test func commitReleaseAndExtendAreIdempotentAndEndInNamedStates() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 2), ("p-1", "rotterdam", 5)]) { fixture throws in
            let inventory = fixture.inventory
            _ = try await inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 6))))
            let extended = try await inventory.extend(ReservationExtension(orderId: "o-1", holdSeconds: 3600))
            #expect(extended.expiresAt > Date().addingTimeInterval(3000))
            // Berlin ships first, twice: once out of stock.
            let first = try await inventory.commit(StockCommitment(orderId: "o-1", warehouse: "berlin"))
            #expect(first.status == .held && first.committedWarehouses == ["berlin"])
            #expect(try await inventory.commit(StockCommitment(orderId: "o-1", warehouse: "berlin")) == first)
            #expect(try await inventory.stock("p-1").warehouses.map(\.onHand) == [0, 5])
            let done = try await inventory.commit(StockCommitment(orderId: "o-1", warehouse: "rotterdam"))
            #expect(done.status == .committed)
            #expect(try await inventory.stock("p-1").warehouses.map(\.onHand) == [0, 1])
            #expect(try await inventory.release("o-1").status == .committed, "a shipped order cannot be released")

            _ = try await inventory.reserve(ReservationRequest(orderId: "o-2", lines: lines(("p-1", 1))))
            #expect(try await inventory.release("o-2").status == .released)
            #expect(try await inventory.release("o-2").status == .released)
            await #expect(throws: InventoryError.reservationNotHeld("o-2", .released)) {
                try await inventory.commit(StockCommitment(orderId: "o-2", warehouse: "rotterdam"))
            }
            await #expect(throws: InventoryError.reservationNotHeld("o-2", .released)) {
                try await inventory.extend(ReservationExtension(orderId: "o-2", holdSeconds: 60))
            }
            #expect(try await inventory.stock("p-1").warehouses.map(\.reserved) == [0, 0])
            #expect(try await inventory.checkLedger().mismatches.isEmpty)
        }
    }

    /// 50 concurrent reservations of one unit each, from 50 tasks, through the call pipeline over three
    /// instances, against 10 units: exactly 10 are held.
    @Test func fiftyConcurrentReservationsOfTenUnitsHoldExactlyTen() async throws {
        try await InventoryFixture.with(replicas: 3, stock: [("p-1", "berlin", 6), ("p-1", "rotterdam", 4)]) { fixture throws in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for order in 0..<50 {
                    group.addTask {
                        do {
                            _ = try await fixture.inventory.reserve(
                                ReservationRequest(orderId: OrderID(rawValue: "o-\(order)"), lines: lines(("p-1", 1)))
                            )
                            return true
                        } catch InventoryError.insufficientStock(let short) {
                            #expect(short == [.init(productId: "p-1", requested: 1, available: 0)])
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 10)
            let stock = try await fixture.inventory.stock("p-1")
            #expect(stock.warehouses.map(\.reserved) == [6, 4])
            #expect(stock.warehouses.map(\.available) == [0, 0])
            let instances = fixture.harness.registry.entries.filter { $0.instance.service == "inventory" }
            #expect(instances.count == 3)
        }
    }

    @Test func theModulesSweeperReleasesAnExpiredHoldOnTheModulesClock() async throws {
        // The module as the system runs it, its sweeper and its time on a clock the test moves: no sweep is called
        // by hand.
        let clock = ManualClock()
        let settings = ModuleSettings(["inventory.seed": "none", "inventory.sweep-interval": "5"])
        try await ModuleHarness.run(.inventory(clock: clock), settings: settings) { harness in
            let inventory = InventoryClient(client: harness.client)
            _ = try await inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: 4, reason: "count"))
            _ = try await inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 3)), holdSeconds: 60))
            try await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(55))
            try await clock.waitForSleepers(count: 1)
            #expect(try await inventory.reservation("o-1").status == .held, "55 s into a 60 s hold")
            clock.advance(by: .seconds(10))
            try await waitUntil("the sweeper released the expired hold") { try await inventory.reservation("o-1").status == .expired }
            #expect(try await inventory.stock("p-1").warehouses.first?.available == 4)
        }
    }

    @Test func adjustmentsNeverGoBelowWhatIsReservedAndSayWhy() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 5)]) { fixture throws in
            _ = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 3))))
            await #expect(throws: InventoryError.adjustmentBelowReserved("p-1", "berlin", onHand: 2, reserved: 3)) {
                try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: -3, reason: "breakage"))
            }
            await #expect(throws: InventoryError.warehouseNotFound("paris")) {
                try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "paris", delta: 1, reason: "found"))
            }
            await #expect(throws: InventoryError.invalid("a reason of 1 to 200 characters is required", field: "reason")) {
                try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: 1, reason: " "))
            }
            // Found by schemathesis: the extreme integers crashed the process (abs(Int.min) traps); now they are refused.
            for delta in [Int.min, Int.min + 1, -1_000_001, 1_000_001, Int.max] {
                await #expect(throws: InventoryError.invalid("delta must be within ±1000000", field: "delta")) {
                    try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: delta, reason: "count"))
                }
            }
            #expect(
                try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: -2, reason: "breakage")).warehouses
                    .first?.onHand == 3
            )
        }
    }

    /// The extremes of the integer a request may carry are refused like any delta out of range (`Int.min` has no
    /// absolute value, and checking it with `abs` stopped the process).
    @Test func aDeltaAtEitherEndOfTheIntegerRangeIsRefusedNotATrap() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 5)]) { fixture throws in
            for delta in [Int.min, Int.max, -1_000_001, 1_000_001] {
                await #expect(throws: InventoryError.invalid("delta must be within ±1000000", field: "delta")) {
                    try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: delta, reason: "count"))
                }
            }
            let stock = try await fixture.inventory.adjust(StockAdjustment(productId: "p-1", warehouse: "berlin", delta: 1_000_000, reason: "count"))
            #expect(stock.warehouses.first?.onHand == 1_000_005)
        }
    }

    @Test func incomingAndReceiptsCountOncePerReference() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 1)]) { fixture throws in
            let order = IncomingStock(reference: "po-1", productId: "p-1", warehouse: "berlin", quantity: quantity(20))
            _ = try await fixture.inventory.expectIncoming(order)
            #expect(try await fixture.inventory.expectIncoming(order).warehouses.first?.incoming == 20)
            let receipt = StockReceipt(reference: "po-1", kind: .purchaseOrder, productId: "p-1", warehouse: "berlin", quantity: quantity(20))
            _ = try await fixture.inventory.receive(receipt)
            let after = try await fixture.inventory.receive(receipt)
            #expect(after.warehouses.first?.onHand == 21)
            #expect(after.warehouses.first?.incoming == 0)
            let returned = StockReceipt(reference: "r-1", kind: .return, productId: "p-1", warehouse: "berlin", quantity: quantity(2))
            _ = try await fixture.inventory.receive(returned)
            #expect(try await fixture.inventory.receive(returned).warehouses.first?.onHand == 23)
            #expect(try await fixture.inventory.checkLedger() == LedgerCheck(checked: 1, mismatches: []))
        }
    }

    @Test func levelsAndLowStockAreEventsInTheOutbox() async throws {
        try await InventoryFixture.with(stock: [("p-1", "berlin", 8)]) { fixture throws in
            _ = try await fixture.inventory.setThreshold(LowStockThreshold(productId: "p-1", threshold: 5))
            _ = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-1", lines: lines(("p-1", 2))))  // 6 left: not low
            _ = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-2", lines: lines(("p-1", 2))))  // 4 left: low
            _ = try await fixture.inventory.reserve(ReservationRequest(orderId: "o-3", lines: lines(("p-1", 1))))  // still low: no second warning
            _ = try await fixture.inventory.commit(StockCommitment(orderId: "o-1", warehouse: "berlin"))  // available unchanged
            let events = try await fixture.events()
            let (changed, low) = (StockLevelChanged.eventType, StockLow.eventType)
            // The adjustment, o-1, o-2 (and the fall to the threshold), o-3; the commit moves nothing available.
            #expect(events.map(\.type) == [changed, changed, changed, low, changed])
            #expect(events.allSatisfy { $0.subject == "p-1" })
            // The level the last event announced is what availability answers.
            let last = try fixture.harness.database.read { connection in
                try connection.scalar(Data.self, "SELECT data FROM outbox WHERE type = ? ORDER BY seq DESC LIMIT 1", [StockLevelChanged.eventType])
            }
            let announced = try JSONDecoder().decode(StockLevelChanged.self, from: try #require(last))
            #expect(announced.availability == Availability(productId: "p-1", available: 3, status: .lowStock))
        }
    }
}
