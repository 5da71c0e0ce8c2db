import Commerce
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import ServiceKit
import Storage
import TestSupport
import Testing
import Warehouse
import WarehouseAPI

@Suite struct FulfilmentTests {
    @Test func fulfilmentCreatesOneShipmentPerAllocatedWarehouseAndIsIdempotent() async throws {
        let order: OrderID = "o-1"
        let reads = CallRecorder<OrderID>()
        let extensions = CallRecorder<ReservationExtension>()
        let allocations = [("p-2", "berlin", 1), ("p-1", "berlin", 2), ("p-3", "lyon", 4), ("p-1", "lyon", 1)]
        var inventory = MockInventory()
        inventory.onReservation = { orderId in
            reads.record(orderId)
            return reservation(orderId, allocations)
        }
        inventory.onExtend = { request in
            extensions.record(request)
            return reservation(request.orderId, allocations)
        }
        try await WarehouseFixture.with(inventory) { fixture in
            let shipments = try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order))
            #expect(shipments.map(\.warehouse) == ["berlin", "lyon"])
            #expect(shipments.allSatisfy { $0.orderId == order && $0.status == .created && $0.trackingNumber == nil })
            #expect(
                shipments[0].lines == [
                    ShipmentLine(productId: "p-1", quantity: try Quantity(2)), ShipmentLine(productId: "p-2", quantity: try Quantity(1)),
                ]
            )
            #expect(
                shipments[1].lines == [
                    ShipmentLine(productId: "p-1", quantity: try Quantity(1)), ShipmentLine(productId: "p-3", quantity: try Quantity(4)),
                ]
            )
            // The stock stays held while the shipments are picked and packed.
            #expect(extensions.values == [ReservationExtension(orderId: order, holdSeconds: 14 * 24 * 3600)])

            // Again, also twice at once: the same shipments, no new ones, no new call to Inventory.
            async let again = fixture.warehouse.fulfil(FulfilmentRequest(orderId: order))
            async let andAgain = fixture.warehouse.fulfil(FulfilmentRequest(orderId: order))
            #expect(try await again == shipments)
            #expect(try await andAgain == shipments)
            #expect(reads.count == 1)
            #expect(try await fixture.warehouse.shipments(status: nil) == shipments.reversed())
            #expect(try await fixture.warehouse.shipments(status: .created).count == 2)
            #expect(try await fixture.warehouse.shipments(status: .shipped).isEmpty)

            let created = try await fixture.events().filter { $0.type == ShipmentCreated.eventType }
            #expect(created.map(\.subject) == ["o-1", "o-1"])
            #expect(try created.map { try $0.decode(ShipmentCreated.self).shipment } == shipments)
        }
    }

    @Test func anOrderWithoutHeldStockCannotBeFulfilled() async throws {
        var inventory = MockInventory()
        inventory.onReservation = { orderId in
            switch orderId.rawValue {
            case "o-released": reservation(orderId, [("p-1", "berlin", 1)], status: .released)
            case "o-expiring": reservation(orderId, [("p-1", "berlin", 1)])
            case "o-down": throw InventoryDown()
            default: throw InventoryError.reservationNotFound(orderId)
            }
        }
        // Expired between the read and the extension.
        inventory.onExtend = { request in throw InventoryError.reservationNotHeld(request.orderId, .expired) }
        try await WarehouseFixture.with(inventory) { fixture in
            await #expect(throws: WarehouseError.orderNotFulfillable("o-none", reason: "it holds no stock")) {
                try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: "o-none"))
            }
            await #expect(throws: WarehouseError.orderNotFulfillable("o-released", reason: "its reservation is released")) {
                try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: "o-released"))
            }
            await #expect(throws: WarehouseError.orderNotFulfillable("o-expiring", reason: "its reservation is expired")) {
                try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: "o-expiring"))
            }
            await #expect(throws: WarehouseError.inventoryUnavailable("order o-down is not fulfilled yet; send the request again")) {
                try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: "o-down"))
            }
            let shipments = try await fixture.warehouse.shipments(status: nil)
            let events = try await fixture.events()
            #expect(shipments.isEmpty && events.isEmpty)
        }
    }

    @Test func aShipmentWalksEveryStepAndCommitsItsStockExactlyOnce() async throws {
        let order: OrderID = "o-2"
        let commits = CallRecorder<StockCommitment>()
        let gate = Gate()
        var inventory = inventoryHolding(order, [("p-1", "berlin", 2)], commits: commits)
        inventory.onCommit = { commitment in
            commits.record(commitment)
            await gate.wait()
            return reservation(order, [("p-1", "berlin", 2)], status: .committed, committed: [commitment.warehouse])
        }
        try await WarehouseFixture.with(inventory) { fixture in
            let id = try #require(try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order)).first).id
            #expect(try await fixture.warehouse.advance(id).status == .picking)
            #expect(try await fixture.warehouse.advance(id).status == .packed)

            // Two administrators press "advance" at once: the first hands the parcel to the carrier and waits for
            // Inventory; the second finds it with the carrier and leaves it to the first.
            let first = Task { try await fixture.warehouse.advance(id) }
            try await waitUntil("the first advance is committing the stock") { gate.arrivals == 1 }
            let second = try await fixture.warehouse.advance(id)
            #expect(second.status == .shipping)
            #expect(second.carrier == "Emporium Parcel")
            #expect(second.trackingNumber?.count == 14)
            gate.open()
            let shipped = try await first.value
            #expect(shipped.status == .shipped)
            #expect(shipped.trackingNumber == second.trackingNumber)
            #expect(commits.values == [StockCommitment(orderId: order, warehouse: "berlin")])

            // A shipped shipment cannot be cancelled.
            await #expect(throws: WarehouseError.shipmentAlreadyShipped(id, .shipped)) { try await fixture.warehouse.cancel(id) }
            #expect(try await fixture.warehouse.advance(id).status == .delivered)
            await #expect(throws: WarehouseError.shipmentFinished(id, .delivered)) { try await fixture.warehouse.advance(id) }
            await #expect(throws: WarehouseError.shipmentAlreadyShipped(id, .delivered)) { try await fixture.warehouse.cancel(id) }
            #expect(commits.count == 1)

            #expect(
                try await fixture.eventTypes(of: order) == [
                    ShipmentCreated.eventType, ShipmentShipped.eventType, ShipmentDelivered.eventType,
                ]
            )
            let shippedEvent = try #require(try await fixture.events().first { $0.type == ShipmentShipped.eventType })
            let payload = try shippedEvent.decode(ShipmentShipped.self)
            #expect(payload.carrier == "Emporium Parcel")
            #expect(payload.trackingNumber == shipped.trackingNumber)
            #expect(payload.shipment == shipped)
        }
    }

    @Test func aCommitInventoryDidNotAnswerIsRetriedUntilItShipsOnce() async throws {
        let order: OrderID = "o-3"
        let attempts = CallRecorder<StockCommitment>()
        let commits = CallRecorder<StockCommitment>()
        let down = Switch(true)
        let clock = ManualClock()
        var inventory = inventoryHolding(order, [("p-1", "berlin", 1)], commits: commits)
        inventory.onCommit = { commitment in
            attempts.record(commitment)
            if down.isOn { throw InventoryDown() }
            commits.record(commitment)
            return reservation(order, [("p-1", "berlin", 1)], status: .committed, committed: [commitment.warehouse])
        }
        try await WarehouseFixture.with(inventory, module: .warehouse(clock: clock)) { fixture in
            let id = try #require(try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order)).first).id
            _ = try await fixture.warehouse.advance(id)
            _ = try await fixture.warehouse.advance(id)
            await #expect(throws: WarehouseError.self) { try await fixture.warehouse.advance(id) }
            // The parcel is with the carrier, and cannot be taken back.
            let shipping = try await fixture.warehouse.shipment(id)
            #expect(shipping.status == .shipping)
            await #expect(throws: WarehouseError.shipmentAlreadyShipped(id, .shipping)) { try await fixture.warehouse.cancel(id) }
            #expect(try await fixture.eventTypes(of: order) == [ShipmentCreated.eventType])

            // Inventory is back; the recovery loop's next pass ships it, with the same tracking number.
            down.set(false)
            try await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(30))
            try await waitUntil("the recovery loop shipped the shipment") { try await fixture.warehouse.shipment(id).status == .shipped }
            #expect(try await fixture.warehouse.shipment(id).trackingNumber == shipping.trackingNumber)
            // Advancing it now delivers it: the commit is not made again.
            #expect(try await fixture.warehouse.advance(id).status == .delivered)
            #expect(commits.count == 1)
            #expect(attempts.count > commits.count)
            #expect(
                try await fixture.eventTypes(of: order) == [
                    ShipmentCreated.eventType, ShipmentShipped.eventType, ShipmentDelivered.eventType,
                ]
            )
        }
    }

    /// A process killed between handing a parcel to the carrier and Inventory's answer leaves the shipment
    /// `shipping` under its claim. Once the claim has run out, the recovery loop commits the stock (Inventory keeps
    /// one commit per order and warehouse, so it does not matter whether the first call reached it) and publishes
    /// the shipment's event once; a claim still held is left to its holder.
    @Test func aShipmentLeftShippingByACrashIsShippedOnceByTheRecoveryLoop() async throws {
        let order: OrderID = "o-5"
        let commits = CallRecorder<StockCommitment>()
        let clock = ManualClock()
        let inventory = inventoryHolding(order, [("p-1", "berlin", 1), ("p-2", "lyon", 1)], commits: commits)
        try await WarehouseFixture.with(inventory, module: .warehouse(clock: clock)) { fixture in
            let shipments = try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order))
            for shipment in shipments {
                _ = try await fixture.warehouse.advance(shipment.id)
                _ = try await fixture.warehouse.advance(shipment.id)
            }
            // The recovery loop's first pass is over; now the state a crash leaves behind.
            try await clock.waitForSleepers(count: 1)
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            for (shipment, claim) in zip(shipments, [now - 1_000_000, now + 3_600_000_000]) {
                try await fixture.harness.database.write { connection in
                    try connection.execute(
                        """
                        UPDATE shipment SET status = 'shipping', carrier = 'Emporium Parcel', tracking_number = 'EP000000000001',
                            claimed_until_us = ? WHERE id = ?
                        """,
                        [claim, shipment.id.rawValue]
                    )
                }
            }
            clock.advance(by: .seconds(30))
            try await waitUntil("the recovery loop shipped the shipment whose claim ran out") {
                try await fixture.warehouse.shipment(shipments[0].id).status == .shipped
            }
            try await clock.waitForSleepers(count: 1)
            #expect(try await fixture.warehouse.shipment(shipments[1].id).status == .shipping)
            #expect(commits.values == [StockCommitment(orderId: order, warehouse: "berlin")])
            #expect(try await fixture.eventTypes(of: order).filter { $0 == ShipmentShipped.eventType }.count == 1)
            // The next pass changes nothing.
            clock.advance(by: .seconds(30))
            try await clock.waitForSleepers(count: 1)
            #expect(commits.count == 1)
        }
    }

    @Test func aShipmentInventoryRefusesToCommitIsPackedAgainAndCanBeCancelled() async throws {
        let order: OrderID = "o-4"
        let commits = CallRecorder<StockCommitment>()
        var inventory = inventoryHolding(order, [("p-1", "berlin", 1)], commits: commits)
        inventory.onCommit = { commitment in
            commits.record(commitment)
            throw InventoryError.reservationNotHeld(commitment.orderId, .expired)
        }
        try await WarehouseFixture.with(inventory) { fixture in
            let id = try #require(try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: order)).first).id
            _ = try await fixture.warehouse.advance(id)
            _ = try await fixture.warehouse.advance(id)
            await #expect(
                throws: WarehouseError.stockNotCommitted(id, reason: "the reservation of order o-4 is expired, not held")
            ) { try await fixture.warehouse.advance(id) }
            let packed = try await fixture.warehouse.shipment(id)
            #expect(packed.status == .packed)
            #expect(packed.carrier == nil && packed.trackingNumber == nil)

            let cancelled = try await fixture.warehouse.cancel(id)
            #expect(cancelled.status == .cancelled)
            // Cancelling again changes nothing and publishes nothing.
            #expect(try await fixture.warehouse.cancel(id) == cancelled)
            await #expect(throws: WarehouseError.shipmentFinished(id, .cancelled)) { try await fixture.warehouse.advance(id) }
            #expect(try await fixture.eventTypes(of: order) == [ShipmentCreated.eventType, ShipmentCancelled.eventType])
            #expect(commits.count == 1)
        }
    }

    @Test func unknownShipmentsAndBadQueriesAreNamed() async throws {
        try await WarehouseFixture.with(MockInventory()) { fixture in
            await #expect(throws: WarehouseError.shipmentNotFound("shp-none")) { try await fixture.warehouse.advance("shp-none") }
            await #expect(throws: WarehouseError.shipmentNotFound("shp-none")) { try await fixture.warehouse.cancel("shp-none") }
            await #expect(throws: WarehouseError.invalid("must be between 1 and 1000", field: "limit")) {
                try await fixture.warehouse.shipments(ShipmentQuery(limit: 0))
            }
            await #expect(throws: WarehouseError.invalid("must not be empty", field: "orderId")) {
                try await fixture.warehouse.fulfil(FulfilmentRequest(orderId: ""))
            }
        }
    }
}
