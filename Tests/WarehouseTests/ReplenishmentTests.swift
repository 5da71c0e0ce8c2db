import Commerce
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import TestSupport
import Testing
import Warehouse
import WarehouseAPI

@Suite struct ReplenishmentTests {
    /// Inventory recording what it is told to expect and to receive.
    static func inventory(incoming: CallRecorder<IncomingStock>, receipts: CallRecorder<StockReceipt>) -> MockInventory {
        var inventory = MockInventory()
        inventory.onExpectIncoming = { stock in
            incoming.record(stock)
            return ReplenishmentTests.stockOf(stock.productId)
        }
        inventory.onReceive = { receipt in
            receipts.record(receipt)
            return ReplenishmentTests.stockOf(receipt.productId)
        }
        return inventory
    }

    static func stockOf(_ product: ProductID) -> ProductStock { stock(product) }

    @Test func aRedeliveredStockLowEventRaisesOnePurchaseOrder() async throws {
        let incoming = CallRecorder<IncomingStock>()
        try await WarehouseFixture.with(Self.inventory(incoming: incoming, receipts: CallRecorder())) { fixture in
            let low = try stockLow("p-1", in: "berlin", available: 3)
            try await fixture.harness.publish([low])
            try await fixture.harness.publish([low])
            // Inventory reports it again, as a new event, while the order is open: still one order.
            try await fixture.harness.publish([try stockLow("p-1", in: "berlin", available: 2)])

            let orders = try await fixture.warehouse.purchaseOrders()
            #expect(orders.count == 1)
            let order = try #require(orders.first)
            #expect(order.productId == "p-1" && order.warehouse == "berlin")
            #expect(order.quantity == (try Quantity(47)))
            #expect(order.status == .ordered)
            #expect(
                incoming.values == [IncomingStock(reference: order.id.rawValue, productId: "p-1", warehouse: "berlin", quantity: try Quantity(47))]
            )

            // Another warehouse is another order.
            try await fixture.harness.publish([try stockLow("p-1", in: "lyon", available: 0)])
            #expect(try await fixture.warehouse.purchaseOrders().map(\.warehouse) == ["lyon", "berlin"])
            #expect(incoming.values.last?.quantity == (try Quantity(50)))
            #expect(try await fixture.harness.module.context.deadLetters.list(limit: 10).isEmpty)
        }
    }

    @Test func receivingAPurchaseOrderTwiceReceivesOnce() async throws {
        let incoming = CallRecorder<IncomingStock>()
        let receipts = CallRecorder<StockReceipt>()
        try await WarehouseFixture.with(Self.inventory(incoming: incoming, receipts: receipts), settings: ["warehouse.target-stock": "20"]) {
            fixture in
            try await fixture.harness.publish([try stockLow("p-2", in: "berlin", available: 5)])
            let id = try #require(try await fixture.warehouse.purchaseOrders().first).id

            let received = try await fixture.warehouse.receivePurchaseOrder(id)
            #expect(received.status == .received)
            #expect(received.receivedAt != nil)
            #expect(try await fixture.warehouse.receivePurchaseOrder(id) == received)
            #expect(
                receipts.values == [
                    StockReceipt(reference: id.rawValue, kind: .purchaseOrder, productId: "p-2", warehouse: "berlin", quantity: try Quantity(15))
                ]
            )
            await #expect(throws: WarehouseError.purchaseOrderNotFound("po-none")) { try await fixture.warehouse.receivePurchaseOrder("po-none") }

            // Received, the order is closed: the next report raises a new one.
            try await fixture.harness.publish([try stockLow("p-2", in: "berlin", available: 4)])
            #expect(try await fixture.warehouse.purchaseOrders().map(\.status) == [.ordered, .received])
            #expect(incoming.count == 2)
        }
    }

    @Test func aPurchaseOrderInventoryDidNotTakeIsPlacedByTheRecoveryLoop() async throws {
        let incoming = CallRecorder<IncomingStock>()
        let down = Switch(true)
        let clock = ManualClock()
        var inventory = Self.inventory(incoming: incoming, receipts: CallRecorder())
        inventory.onExpectIncoming = { stock in
            if down.isOn { throw InventoryDown() }
            incoming.record(stock)
            return ReplenishmentTests.stockOf(stock.productId)
        }
        try await WarehouseFixture.with(inventory, module: .warehouse(clock: clock)) { fixture in
            try await fixture.harness.publish([try stockLow("p-3", in: "lyon", available: 1)])
            // Recorded, not failed: the event is handled and the order waits for Inventory.
            #expect(try await fixture.warehouse.purchaseOrders().map(\.status) == [.pending])
            #expect(try await fixture.harness.module.context.deadLetters.list(limit: 10).isEmpty)

            down.set(false)
            try await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(30))
            try await waitUntil("the recovery loop placed the purchase order") {
                try await fixture.warehouse.purchaseOrders().map(\.status) == [.ordered]
            }
            #expect(incoming.count == 1)
        }
    }

    @Test func aStockLowAtOrAboveTheTargetRaisesNothing() async throws {
        try await WarehouseFixture.with(MockInventory(), settings: ["warehouse.target-stock": "10"]) { fixture in
            try await fixture.harness.publish([try stockLow("p-4", in: "berlin", available: 10)])
            #expect(try await fixture.warehouse.purchaseOrders().isEmpty)
        }
    }
}
