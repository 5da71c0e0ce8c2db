import CartAPI
import Commerce
import CustomersAPI
import Foundation
import IdentityAPI
import InventoryAPI
import Messaging
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import TestSupport
import Testing
import WarehouseAPI

@testable import Orders

@Suite struct AfterCheckoutTests {
    /// A confirmed order whose saga finished.
    private func placed(_ fixture: OrdersFixture) async throws -> Order {
        let order = try await fixture.checkout().body
        try await fixture.waitUntilSagasFinish()
        return try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id))
    }

    private func event<E: DomainEvent>(_ event: E, about order: OrderID) throws -> Envelope {
        try Envelope(event, source: "/emporium/warehouse", subject: order.rawValue)
    }

    /// Delivers the order's one shipment through Warehouse's events.
    private func deliver(_ order: OrderID, _ fixture: OrdersFixture) async throws {
        let shipped = try shipment(order, "shp-1", .shipped)
        try await fixture.harness.publish([
            try event(ShipmentShipped(shipment: shipped, carrier: "DHL", trackingNumber: "JD0001"), about: order),
            try event(ShipmentDelivered(shipment: try shipment(order, "shp-1", .delivered)), about: order),
        ])
    }

    @Test func warehouseEventsShipAndDeliverTheOrder() async throws {
        try await OrdersFixture.with(Services.happy()) { fixture in
            let order = try await placed(fixture)
            let shipped = try event(
                ShipmentShipped(shipment: try shipment(order.id, "shp-1", .shipped), carrier: "DHL", trackingNumber: "JD0001"),
                about: order.id
            )
            try await fixture.harness.publish([shipped, shipped])
            var seen = try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id))
            #expect(seen.status == .shipped)
            #expect(seen.shipments.first?.trackingNumber == "JD0001")
            #expect(seen.timeline.last?.detail == "Sent with DHL (tracking JD0001).")
            try await fixture.harness.publish([try event(ShipmentDelivered(shipment: try shipment(order.id, "shp-1", .delivered)), about: order.id)])
            seen = try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id))
            #expect(seen.status == .delivered)
            #expect(seen.timeline.map(\.step).suffix(2) == ["shipped", "delivered"])
            #expect(try await fixture.events().map(\.type) == [OrderPlaced.eventType, OrderShipped.eventType, OrderDelivered.eventType])
            // A shipped order is no longer cancelled.
            await #expect(throws: OrdersError.notCancellable(order.id, .delivered)) {
                try await fixture.orders.cancel(OrderReference(customerId: customer, orderId: order.id))
            }
        }
    }

    @Test func cancellingBeforeShipmentCancelsTheShipmentRefundsAndReleases() async throws {
        var services = Services.happy()
        let calls = services.calls
        services.warehouse.onCancel = { id in
            calls.record("warehouse.cancel")
            return try shipment("o-any", id, .cancelled)
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await placed(fixture)
            let cancelled = try await fixture.orders.cancel(OrderReference(customerId: customer, orderId: order.id))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.shipments.map(\.status) == [.cancelled])
            #expect(cancelled.payment?.refunded == euros(8498))
            #expect(services.calls.values.suffix(3) == ["warehouse.cancel", "payments.refund", "inventory.release"])
            #expect(services.keys.values.last == "order:\(order.id.rawValue):refund-cancel")
            #expect(cancelled.timeline.map(\.step).suffix(3) == ["cancel-requested", "payment-refunded", "stock-released"])
            // Again: the same order, nothing more.
            let again = try await fixture.orders.cancel(OrderReference(customerId: customer, orderId: order.id))
            #expect(again == cancelled)
            #expect(services.calls.values.filter { $0 == "payments.refund" }.count == 1)
            #expect(try await fixture.events().map(\.type) == [OrderPlaced.eventType, OrderCancelled.eventType])
        }
    }

    @Test func aCancelWhileTheSagaStillFulfilsWaitsForItThenCancels() async throws {
        var services = Services.happy()
        let calls = services.calls
        let gate = Gate()
        services.warehouse.onFulfil = { request in
            calls.record("warehouse.fulfil")
            await gate.wait()
            return [try shipment(request.orderId)]
        }
        services.warehouse.onCancel = { id in
            calls.record("warehouse.cancel")
            return try shipment("o-any", id, .cancelled)
        }
        try await OrdersFixture.with(services) { fixture in
            // The answer comes at the confirmation; capture and fulfilment go on behind it.
            let order = try await fixture.checkout().body
            #expect(order.status == .confirmed)
            try await waitUntil("fulfilment is asked for") { gate.arrivals == 1 }
            let started = Gate()
            let cancelling = Task {
                started.open()
                return try await fixture.orders.cancel(OrderReference(customerId: customer, orderId: order.id))
            }
            // The cancel runs while fulfilment is held: before this change it was refused at once ("try again").
            await started.wait()
            try await waitUntil("the order still waits for its fulfilment") {
                try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id)).shipments.isEmpty
            }
            gate.open()
            let cancelled = try await cancelling.value
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.shipments.map(\.status) == [.cancelled])
            #expect(services.calls.values.suffix(3) == ["warehouse.cancel", "payments.refund", "inventory.release"])
        }
    }

    @Test func aShipmentAlreadyWithTheCarrierCannotBeCancelled() async throws {
        var services = Services.happy()
        services.warehouse.onCancel = { id in throw WarehouseError.shipmentAlreadyShipped(id, .shipping) }
        try await OrdersFixture.with(services) { fixture in
            let order = try await placed(fixture)
            await #expect(throws: OrdersError.notCancellable(order.id, .shipped)) {
                try await fixture.orders.cancel(OrderReference(customerId: customer, orderId: order.id))
            }
            #expect(try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id)).status == .confirmed)
            #expect(!services.calls.values.contains("payments.refund"))
        }
    }

    @Test func aReturnRefundsTheUnitsShareOfTheTotalExactly() async throws {
        var services = Services.happy()
        let receipts = CallRecorder<ReturnReceipt>()
        let refunds = CallRecorder<IdempotentRequest<RefundRequest>>()
        services.warehouse.onReceiveReturn = { receipt in
            receipts.record(receipt)
            return ReceivedReturn(receipt: receipt, status: .received)
        }
        services.payments.onRefund = { request in
            refunds.record(request)
            let refunded: Int64 = refunds.values.reduce(0) { $0 + ($1.body.amount?.minorUnits ?? 0) }
            return IdempotentReply(body: intent(orderOf(request.key), .succeeded, captured: 8498, refunded: refunded), replayed: false)
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await placed(fixture)
            // Not delivered yet.
            await #expect(throws: OrdersError.notReturnable(order.id, .confirmed)) {
                try await fixture.orders.requestReturn(
                    ReturnRequest(customerId: customer, orderId: order.id, lines: [ReturnedLine(productId: "p-lamp", quantity: 1)])
                )
            }
            try await deliver(order.id, fixture)
            let one = try await fixture.orders.requestReturn(
                ReturnRequest(customerId: customer, orderId: order.id, lines: [ReturnedLine(productId: "p-lamp", quantity: 1)])
            )
            // 84.98 over lines of 39.98 and 45.00: the lamps' share is 39.98, 19.99 a lamp.
            #expect(one.returns.map(\.refund) == [euros(1999)])
            #expect(one.returns.map(\.status) == [.refunded])
            #expect(one.lines.map(\.returnedQuantity) == [1, 0])
            #expect(one.status == .delivered)
            #expect(receipts.values.map(\.returnId.rawValue) == ["\(order.id.rawValue)-r1"])
            #expect(receipts.values.first?.warehouse == "berlin")
            #expect(refunds.values.map(\.key.rawValue) == ["order:\(order.id.rawValue):refund-return-1"])
            // More than is left, or something not bought, is refused.
            await #expect(throws: OrdersError.returnRefused(order.id, reason: "only 1 of product p-lamp can still be returned, not 2")) {
                try await fixture.orders.requestReturn(
                    ReturnRequest(customerId: customer, orderId: order.id, lines: [ReturnedLine(productId: "p-lamp", quantity: 2)])
                )
            }
            await #expect(throws: OrdersError.returnRefused(order.id, reason: "product p-sofa is not part of the order")) {
                try await fixture.orders.requestReturn(
                    ReturnRequest(customerId: customer, orderId: order.id, lines: [ReturnedLine(productId: "p-sofa", quantity: 1)])
                )
            }
            let rest = try await fixture.orders.requestReturn(
                ReturnRequest(
                    customerId: customer,
                    orderId: order.id,
                    lines: [ReturnedLine(productId: "p-lamp", quantity: 1), ReturnedLine(productId: "p-chair", quantity: 1)]
                )
            )
            #expect(rest.status == .returned)
            // Everything returned refunds exactly what was paid.
            let total: Int64 = refunds.values.reduce(0) { $0 + ($1.body.amount?.minorUnits ?? 0) }
            #expect(total == 8498)
            #expect(try await fixture.events().map(\.type).last == OrderReturned.eventType)
            await #expect(throws: OrdersError.notReturnable(order.id, .returned)) {
                try await fixture.orders.requestReturn(
                    ReturnRequest(customerId: customer, orderId: order.id, lines: [ReturnedLine(productId: "p-lamp", quantity: 1)])
                )
            }
        }
    }

    @Test func theRefundRuleSharesShippingAndRoundingExactly() throws {
        let lines = [
            OrderLine(productId: "p-a", name: "A", quantity: 3, unitPrice: euros(333), lineTotal: euros(999)),
            OrderLine(productId: "p-b", name: "B", quantity: 1, unitPrice: euros(1000), lineTotal: euros(1000)),
        ]
        let totals = Totals(subtotal: euros(1999), shipping: euros(495), vatIncluded: euros(398), vatRatePerMille: 190, total: euros(2494))
        var order = Order(
            id: "o-x",
            number: "EMP-000001",
            customerId: customer,
            status: .delivered,
            lines: lines,
            totals: totals,
            shippingAddress: address,
            createdAt: Date(),
            updatedAt: Date()
        )
        // 24.94 over 9.99 and 10.00: 12.46 and 12.48; 12.46 over three units: 4.16, 4.15, 4.15.
        #expect(try SQLiteOrdersService.refund(of: [ReturnedLine(productId: "p-a", quantity: 1)], in: order) == euros(416))
        order.lines[0].returnedQuantity = 1
        #expect(try SQLiteOrdersService.refund(of: [ReturnedLine(productId: "p-a", quantity: 2)], in: order) == euros(830))
        #expect(try SQLiteOrdersService.refund(of: [ReturnedLine(productId: "p-b", quantity: 1)], in: order) == euros(1248))
    }

    @Test func anotherCustomersOrderIsNotFound() async throws {
        try await OrdersFixture.with(Services.happy()) { fixture in
            let order = try await placed(fixture)
            let stranger = OrderReference(customerId: "c-2", orderId: order.id)
            await #expect(throws: OrdersError.orderNotFound(order.id)) { try await fixture.orders.order(stranger) }
            await #expect(throws: OrdersError.orderNotFound(order.id)) { try await fixture.orders.cancel(stranger) }
            await #expect(throws: OrdersError.orderNotFound(order.id)) {
                try await fixture.orders.requestReturn(
                    ReturnRequest(customerId: "c-2", orderId: order.id, lines: [ReturnedLine(productId: "p-lamp", quantity: 1)])
                )
            }
            await #expect(throws: OrdersError.orderNotFound("o-none")) {
                try await fixture.orders.order(OrderReference(customerId: customer, orderId: "o-none"))
            }
            #expect(try await fixture.orders.customerOrders("c-2").isEmpty)
            #expect(try await fixture.orders.customerOrders(customer).map(\.id) == [order.id])
        }
    }

    @Test func ordersAreListedNewestFirstAPageAtATime() async throws {
        try await OrdersFixture.with(Services.happy()) { fixture in
            var ids: [OrderID] = []
            for key in ["k-a", "k-b", "k-c"] { ids.append(try await fixture.checkout(key: key).body.id) }
            let first = try await fixture.orders.orders(OrderQuery(customerId: customer, limit: 2))
            #expect(first.items.map(\.id) == [ids[2], ids[1]])
            let second = try await fixture.orders.orders(OrderQuery(customerId: customer, cursor: first.nextCursor, limit: 2))
            #expect(second.items.map(\.id) == [ids[0]])
            #expect(second.nextCursor == nil)
            #expect(try await fixture.orders.orders(OrderQuery(status: .rejected)).items.isEmpty)
            await #expect(throws: OrdersError.invalid("must be from 1 to 100", field: "limit")) {
                try await fixture.orders.orders(OrderQuery(limit: 0))
            }
            await #expect(throws: OrdersError.invalid("is not a cursor this service gave", field: "cursor")) {
                try await fixture.orders.orders(OrderQuery(cursor: "x"))
            }
        }
    }

    @Test func aDeletedCustomersOrdersAreAnonymised() async throws {
        try await OrdersFixture.with(Services.happy()) { fixture in
            let order = try await placed(fixture)
            try await fixture.harness.waitUntilSettled()
            let deleted = try Envelope(
                UserDeleted(userId: UserID(rawValue: customer.rawValue), deletedAt: Date()),
                source: "/emporium/identity",
                subject: customer.rawValue
            )
            try await fixture.harness.publish([deleted, deleted])
            let kept = try await fixture.orders.order(OrderReference(customerId: nil, orderId: order.id))
            #expect(kept.shippingAddress == Address(name: "erased", line1: "erased", city: "erased", postalCode: "erased", country: "NL"))
            #expect(kept.lines == order.lines)
            #expect(kept.totals == order.totals)
            // Not a byte of the person left in the outbox or the stored checkout replies.
            let leftovers = try await fixture.harness.database.read { connection in
                let events = try connection.query("SELECT data FROM outbox").map { String(decoding: try $0["data"] as Data, as: UTF8.self) }
                let replies = try connection.query("SELECT response FROM idempotency_keys WHERE response IS NOT NULL").map {
                    String(decoding: try $0["response"] as Data, as: UTF8.self)
                }
                return events + replies
            }
            #expect(!leftovers.contains { $0.contains("Anna") || $0.contains("Damrak") || $0.contains("+3120") })
        }
    }

    @Test func failuresSaySentences() {
        let failures: [OrdersError] = [
            .orderNotFound("o-1"), .emptyCart, .cartNotPurchasable(["p-1"]), .notCancellable("o-1", .pending), .notCancellable("o-1", .shipped),
            .notReturnable("o-1", .confirmed), .returnRefused("o-1", reason: "product p-1 is not part of the order"), .addressNotFound("adr-1"),
            .invalid("must be from 1 to 100", field: "limit"), .invalid("give exactly one", field: nil),
            .invalidAddress([FieldError(field: "shippingAddress.city", message: "is required")]),
        ]
        for failure in failures {
            #expect(failure.detail.hasSuffix("."), "\(failure.detail)")
            #expect(!failure.detail.contains("OrderID") && !failure.detail.contains("Identifier"), "\(failure.detail)")
            #expect(failure.detail.first?.isUppercase == true)
        }
        #expect(
            failures.map(\.problemType) == [
                "order-not-found", "cart-empty", "cart-not-purchasable", "order-not-cancellable", "order-not-cancellable", "return-refused",
                "return-refused", "address-not-found", "validation-failed", "validation-failed", "validation-failed",
            ]
        )
        #expect(
            OrderStatus.allCases.map(\.rawValue) == [
                "pending", "rejected", "payment-failed", "confirmed", "shipped", "delivered", "cancelled", "returned",
            ]
        )
    }
}
