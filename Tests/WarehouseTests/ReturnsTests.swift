import Commerce
import InventoryAPI
import ServiceKit
import TestSupport
import Testing
import Warehouse
import WarehouseAPI

@Suite struct ReturnsTests {
    @Test func aReturnGoesBackOnHandOnce() async throws {
        let receipts = CallRecorder<StockReceipt>()
        var inventory = MockInventory()
        inventory.onReceive = { receipt in
            receipts.record(receipt)
            return stock(receipt.productId)
        }
        try await WarehouseFixture.with(inventory) { fixture in
            let receipt = ReturnReceipt(
                returnId: "r-1",
                orderId: "o-1",
                lines: [ReturnLine(productId: "p-2", quantity: try Quantity(1)), ReturnLine(productId: "p-1", quantity: try Quantity(2))],
                warehouse: "berlin"
            )
            let received = try await fixture.warehouse.receiveReturn(receipt)
            #expect(received.status == .received)
            #expect(Set(received.receipt.lines) == Set(receipt.lines))
            // The same return again, its lines in another order: received once.
            var reordered = receipt
            reordered.lines.reverse()
            #expect(try await fixture.warehouse.receiveReturn(reordered) == received)
            #expect(
                Set(receipts.values) == [
                    StockReceipt(reference: "r-1:p-1", kind: .return, productId: "p-1", warehouse: "berlin", quantity: try Quantity(2)),
                    StockReceipt(reference: "r-1:p-2", kind: .return, productId: "p-2", warehouse: "berlin", quantity: try Quantity(1)),
                ]
            )
            #expect(receipts.count == 2)

            var other = receipt
            other.lines = [ReturnLine(productId: "p-1", quantity: try Quantity(5))]
            await #expect(throws: WarehouseError.returnMismatch("r-1")) { try await fixture.warehouse.receiveReturn(other) }
            other.returnId = "r-2"
            other.lines = []
            await #expect(throws: WarehouseError.invalid("must list at least one product", field: "lines")) {
                try await fixture.warehouse.receiveReturn(other)
            }
            other.lines = [ReturnLine(productId: "p-1", quantity: try Quantity(1)), ReturnLine(productId: "p-1", quantity: try Quantity(1))]
            await #expect(throws: WarehouseError.invalid("names the product p-1 more than once", field: "lines")) {
                try await fixture.warehouse.receiveReturn(other)
            }
            #expect(receipts.count == 2)
        }
    }

    @Test func aReturnInventoryRefusesIsForgottenSoACorrectedOneCanFollow() async throws {
        let receipts = CallRecorder<StockReceipt>()
        var inventory = MockInventory()
        inventory.onReceive = { receipt in
            guard receipt.warehouse == "berlin" else { throw InventoryError.warehouseNotFound(receipt.warehouse) }
            receipts.record(receipt)
            return stock(receipt.productId)
        }
        try await WarehouseFixture.with(inventory) { fixture in
            var receipt = ReturnReceipt(
                returnId: "r-3",
                orderId: "o-3",
                lines: [ReturnLine(productId: "p-1", quantity: try Quantity(1))],
                warehouse: "bern"
            )
            await #expect(throws: WarehouseError.returnRefused("r-3", reason: "no warehouse has the id bern")) {
                try await fixture.warehouse.receiveReturn(receipt)
            }
            receipt.warehouse = "berlin"
            #expect(try await fixture.warehouse.receiveReturn(receipt).status == .received)
            #expect(receipts.count == 1)
        }
    }
}
