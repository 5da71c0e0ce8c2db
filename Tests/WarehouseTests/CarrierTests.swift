import Commerce
import InventoryAPI
import ModuleKit
import ServiceKit
import TestSupport
import Testing
import Warehouse
import WarehouseAPI

@Suite struct CarrierTests {
    @Test func theCarrierAdvancesShipmentsAndDeliversPurchaseOrdersOnAManualClock() async throws {
        let order: OrderID = "o-9"
        let commits = CallRecorder<StockCommitment>()
        let receipts = CallRecorder<StockReceipt>()
        let clock = ManualClock()
        var inventory = inventoryHolding(order, [("p-1", "berlin", 1), ("p-2", "lyon", 3)], commits: commits)
        inventory.onExpectIncoming = { stock($0.productId) }
        inventory.onReceive = { receipt in
            receipts.record(receipt)
            return stock(receipt.productId)
        }
        try await WarehouseFixture.with(inventory, settings: ["warehouse.fulfilment": "fast"], module: .warehouse(clock: clock)) { fixture in
            let shipments = try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order))
            try await fixture.harness.publish([try stockLow("p-3", in: "berlin", available: 0)])
            // The carrier and the recovery loop are both waiting on the clock.
            try await clock.waitForSleepers(count: 2)
            var seen: [[ShipmentStatus]] = []
            var orders: [PurchaseOrderStatus] = []
            for _ in 1...4 {
                clock.advance(by: .seconds(2))
                // The carrier sleeps again once its step is done.
                try await clock.waitForSleepers(count: 2)
                seen.append(try await shipments.asyncMap { try await fixture.warehouse.shipment($0.id).status })
                orders += try await fixture.warehouse.purchaseOrders().map(\.status)
            }
            #expect(seen == [[.picking, .picking], [.packed, .packed], [.shipped, .shipped], [.delivered, .delivered]])
            #expect(
                Set(commits.values) == [StockCommitment(orderId: order, warehouse: "berlin"), StockCommitment(orderId: order, warehouse: "lyon")]
            )
            #expect(commits.count == 2)
            // The supplier delivers on the third step after the order was placed.
            #expect(orders == [.ordered, .ordered, .received, .received])
            #expect(receipts.count == 1)
            #expect(
                try await fixture.eventTypes(of: order).filter { $0 != ShipmentCreated.eventType } == [
                    ShipmentShipped.eventType, ShipmentShipped.eventType, ShipmentDelivered.eventType, ShipmentDelivered.eventType,
                ]
            )
        }
    }

    @Test func withoutAPaceNothingMovesByItself() async throws {
        let clock = ManualClock()
        let commits = CallRecorder<StockCommitment>()
        try await WarehouseFixture.with(inventoryHolding("o-10", [("p-1", "berlin", 1)], commits: commits), module: .warehouse(clock: clock)) {
            fixture in
            let id = try #require(try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: "o-10")).first).id
            // Only the recovery loop waits on the clock: there is no carrier.
            try await clock.waitForSleepers(count: 1)
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .seconds(60))
            try await clock.waitForSleepers(count: 1)
            #expect(try await fixture.warehouse.shipment(id).status == .created)
        }
    }

    @Test func settingsAreCheckedWithSentences() async throws {
        await #expect {
            try await WarehouseFixture.with(MockInventory(), settings: ["warehouse.fulfilment": "sometimes"]) { _ in }
        } throws: { "\($0)" == "warehouse.fulfilment must be fast, realistic or manual, not 'sometimes'" }
        await #expect {
            try await WarehouseFixture.with(MockInventory(), settings: ["warehouse.target-stock": "0"]) { _ in }
        } throws: { "\($0)" == "warehouse.target-stock must be a whole number from 1 to 1000000, not '0'" }
    }
}

extension Array where Element: Sendable {
    /// The elements mapped in order by an async function.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
