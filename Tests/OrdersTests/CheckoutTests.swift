import CartAPI
import Commerce
import CustomersAPI
import Foundation
import InventoryAPI
import Messaging
import Orders
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Synchronization
import TestSupport
import Testing
import WarehouseAPI

@Suite struct CheckoutTests {
    @Test func aCheckoutThatGoesWellIsConfirmedThenCapturedAndFulfilled() async throws {
        let services = Services.happy()
        try await OrdersFixture.with(services) { fixture in
            let reply = try await fixture.checkout()
            let order = reply.body
            #expect(!reply.replayed)
            #expect(order.status == .confirmed)
            #expect(order.id.rawValue.hasPrefix("o-") && order.id.rawValue.count == 22)
            #expect(order.number == "EMP-000001")
            #expect(order.lines.map(\.productId) == ["p-lamp", "p-chair"])
            #expect(order.totals.total == euros(8498))
            #expect(order.shippingAddress == address)
            #expect(order.payment?.intentId.rawValue == "pi_\(order.id.rawValue)")
            // Answered once the bought lines left the cart: a shopper told 201 cannot buy them again.
            #expect(services.calls.values.contains("cart.check-out"))
            #expect(order.timeline.contains { $0.step == "cart-cleared" && $0.outcome == "ok" })
            try await fixture.waitUntilSagasFinish()
            #expect(
                services.calls.values == [
                    "cart.cart", "inventory.reserve", "payments.authorize", "cart.check-out", "payments.capture",
                    "warehouse.fulfil",
                ]
            )
            #expect(services.keys.values == ["order:\(order.id.rawValue):authorize", "order:\(order.id.rawValue):capture"])
            let stored = try await fixture.orders.order(OrderReference(customerId: customer, orderId: order.id))
            #expect(stored.status == .confirmed)
            #expect(stored.shipments.map(\.id) == ["shp-1"])
            #expect(stored.payment?.captured == euros(8498))
            #expect(
                stored.timeline.map(\.step) == [
                    "order-created", "stock-reserved", "payment-authorized", "confirmed", "cart-cleared", "payment-captured", "fulfilment-requested",
                ]
            )
            #expect(stored.timeline.allSatisfy { $0.outcome == "ok" })
            let events = try await fixture.events()
            #expect(events.map(\.type) == [OrderPlaced.eventType])
            #expect(events.first?.subject == order.id.rawValue)
            #expect(try events.first?.decode(OrderPlaced.self).order.status == .confirmed)
        }
    }

    @Test func theSameKeyReplaysTheOrderAndAnotherBodyIsRefused() async throws {
        let services = Services.happy()
        try await OrdersFixture.with(services) { fixture in
            let first = try await fixture.checkout()
            let again = try await fixture.checkout()
            #expect(again.replayed)
            #expect(again.body == first.body)
            #expect(services.calls.values.filter { $0 == "inventory.reserve" }.count == 1)
            await #expect(throws: IdempotencyFailure.keyReused) {
                try await fixture.checkout(card: CardDetails(number: "5555555555554444", expMonth: 1, expYear: 2041, cvc: "999"))
            }
            // Another key is another order.
            let second = try await fixture.checkout(key: "k-2")
            #expect(second.body.id != first.body.id)
            #expect(second.body.number == "EMP-000002")
        }
    }

    @Test func shortStockRejectsTheOrderAndChargesNothing() async throws {
        var services = Services.happy()
        let calls = services.calls
        services.inventory.onReserve = { _ in
            calls.record("inventory.reserve")
            throw InventoryError.insufficientStock([InventoryError.ShortLine(productId: "p-chair", requested: 1, available: 0)])
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .rejected)
            #expect(order.shortLines == [InventoryError.ShortLine(productId: "p-chair", requested: 1, available: 0)])
            #expect(order.payment == nil)
            #expect(services.calls.values == ["cart.cart", "inventory.reserve"])
            #expect(order.timeline.map(\.step) == ["order-created", "stock-short"])
            try await fixture.waitUntilSagasFinish()
            #expect(try await fixture.events().map(\.type) == [OrderRejected.eventType])
        }
    }

    @Test func aDeclineReleasesTheStockAndKeepsTheCart() async throws {
        var services = Services.happy()
        let calls = services.calls
        services.payments.onAuthorize = { request in
            calls.record("payments.authorize")
            return IdempotentReply(body: intent(request.body.orderId, .requiresPaymentMethod, decline: .insufficientFunds), replayed: false)
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .paymentFailed)
            #expect(order.payment?.declineCode == .insufficientFunds)
            #expect(services.calls.values == ["cart.cart", "inventory.reserve", "payments.authorize", "inventory.release"])
            #expect(order.timeline.map(\.step) == ["order-created", "stock-reserved", "payment-declined", "stock-released"])
            #expect(try await fixture.events().map(\.type) == [OrderPaymentFailed.eventType])
        }
    }

    @Test func aProcessingErrorIsTriedAgainUnderANewKey() async throws {
        var services = Services.happy()
        let keys = services.keys
        services.payments.onAuthorize = { request in
            keys.record(request.key.rawValue)
            let tries = keys.values.filter { $0.contains("authorize") }.count
            let status: PaymentIntentStatus = tries < 2 ? .requiresPaymentMethod : .requiresCapture
            return IdempotentReply(body: intent(request.body.orderId, status, decline: tries < 2 ? .processingError : nil), replayed: false)
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .confirmed)
            #expect(services.keys.values.prefix(2) == ["order:\(order.id.rawValue):authorize", "order:\(order.id.rawValue):authorize-2"])
        }
    }

    @Test func aFailedCaptureVoidsReleasesAndCancels() async throws {
        var services = Services.happy()
        let calls = services.calls
        services.payments.onCapture = { request in
            calls.record("payments.capture")
            throw PaymentsError.unexpectedState("pi_x", .canceled, operation: "capture")
        }
        try await OrdersFixture.with(services) { fixture in
            // Confirmed the moment the card was authorised; the capture's failure follows within moments.
            let confirmed = try await fixture.checkout().body
            #expect(confirmed.status == .confirmed || confirmed.status == .cancelled)
            try await fixture.waitUntilSagasFinish()
            let order = try await fixture.orders.order(OrderReference(customerId: nil, orderId: confirmed.id))
            #expect(order.status == .cancelled)
            #expect(services.calls.values.suffix(3) == ["payments.capture", "payments.cancel", "inventory.release"])
            #expect(services.keys.values.last == "order:\(order.id.rawValue):void")
            #expect(order.timeline.map(\.step).suffix(3) == ["payment-captured", "payment-voided", "stock-released"])
            #expect(try await fixture.events().map(\.type) == [OrderPlaced.eventType, OrderCancelled.eventType])
        }
    }

    @Test func aReserveThatTimesOutIsRetriedAndGoesThrough() async throws {
        var services = Services.happy()
        let calls = services.calls
        // More failures than the call pipeline's own retries, so the saga sees a call without an answer.
        let failures = Mutex(4)
        services.inventory.onReserve = { request in
            calls.record("inventory.reserve")
            if failures.withLock({ count in
                defer { count -= 1 }
                return count > 0
            }) {
                throw ServiceDown()
            }
            return reservation(request.orderId)
        }
        try await OrdersFixture.with(services, settings: ["orders.step-attempts": "10"]) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .confirmed)
            #expect(services.calls.values.filter { $0 == "inventory.reserve" }.count >= 3)
            #expect(order.timeline.contains { $0.step == "retry" && $0.outcome == "retrying" }, "\(order.timeline) \(services.calls.values)")
        }
    }

    @Test func aReserveThatNeverAnswersIsReleasedAndCancelled() async throws {
        var services = Services.happy()
        let calls = services.calls
        services.inventory.onReserve = { _ in
            calls.record("inventory.reserve")
            throw ServiceDown()
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .cancelled)
            #expect(services.calls.values.last == "inventory.release")
            #expect(!services.calls.values.contains("payments.authorize"))
            let failed = try #require(order.timeline.last { $0.outcome == "failed" })
            #expect(failed.step == "stock-reserved")
            #expect(failed.detail?.hasPrefix("Inventory did not answer after 3 attempts") == true)
        }
    }

    /// What a module's storage says when its disk is full; the transports carry it as an unavailable service.
    private struct DiskFull: UnavailabilityReporting {
        var unavailability: Unavailability? {
            Unavailability(problemType: "storage-unavailable", detail: "The disk is full.", retryAfterSeconds: 30)
        }
    }

    @Test func aStepWhoseServiceCannotStoreFailsTheCheckoutAtOnceWithNothingHeldOrCharged() async throws {
        // Inventory's disk is full: nothing was held, so the order is rejected at once, without retries or a release.
        var services = Services.happy()
        let calls = services.calls
        services.inventory.onReserve = { _ in
            calls.record("inventory.reserve")
            throw DiskFull()
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .rejected)
            #expect(services.calls.values.filter { $0.hasPrefix("inventory.") || $0.hasPrefix("payments.") } == ["inventory.reserve"])
            let failed = try #require(order.timeline.last { $0.outcome == "failed" })
            #expect(failed.step == TimelineEntry.stockUnavailable)
            #expect(failed.detail == "Inventory cannot store anything right now, so the call changed nothing. Nothing was held or charged.")
        }

        // Payments' disk is full: the card was not tried, so the stock is released and the order payment-failed.
        services = Services.happy()
        let paymentCalls = services.calls
        services.payments.onAuthorize = { _ in
            paymentCalls.record("payments.authorize")
            throw DiskFull()
        }
        try await OrdersFixture.with(services) { fixture in
            let order = try await fixture.checkout().body
            #expect(order.status == .paymentFailed)
            #expect(order.payment == nil)
            #expect(services.calls.values.filter { $0 == "payments.authorize" }.count == 1)
            #expect(services.calls.values.last == "inventory.release")
            let failed = try #require(order.timeline.last { $0.outcome == "failed" })
            #expect(failed.step == TimelineEntry.paymentUnavailable)
            #expect(failed.detail == "Payments cannot store anything right now, so the card was not tried. Nothing was charged.")
        }
    }

    @Test func aCheckoutStoppedMidSagaIsFinishedByTheRecoveryLoop() async throws {
        let services = Services.happy()
        let crashed = Mutex(false)
        // The process "dies" right after the reservation was persisted: the saga stops there, its claim left to run out.
        let hook: SagaStepHook = { _, step in
            if step == "stock-reserved"
                && crashed.withLock({ done in
                    defer { done = true }
                    return !done
                })
            {
                throw CancellationError()
            }
        }
        try await OrdersFixture.with(services, settings: ["orders.checkout-deadline": "0.3"], afterStep: hook) { fixture in
            var order = try await fixture.checkout().body
            #expect(order.status == .pending)
            try await waitUntil("the saga stopped after the reservation") {
                order = try await fixture.orders.order(OrderReference(customerId: nil, orderId: order.id))
                return order.timeline.map(\.step) == ["order-created", "stock-reserved"]
            }
            #expect(try await fixture.orders.openSagas().orderIds == [order.id])
            // The recovery loop leaves a claimed saga alone until the claim runs out.
            try await fixture.advance(by: .seconds(5))
            #expect(try await fixture.orders.order(OrderReference(customerId: nil, orderId: order.id)).status == .pending)
            try await fixture.advance(by: .seconds(60))
            try await fixture.waitUntilSagasFinish()
            let finished = try await fixture.orders.order(OrderReference(customerId: nil, orderId: order.id))
            #expect(finished.status == .confirmed)
            #expect(services.calls.values.filter { $0 == "inventory.reserve" }.count == 1)
            #expect(services.calls.values.filter { $0 == "payments.authorize" }.count == 1)
            // The same checkout again answers with that order: the id comes from the customer and the key.
            let again = try await fixture.checkout()
            #expect(again.body.id == order.id)
        }
    }

    @Test func aWriteThatComesBetweenTwoStepsOfTheSagaIsKept() async throws {
        // The saga's driver keeps the order in memory between steps; an event that writes the order meanwhile (here
        // a shipment Warehouse reports) must not be overwritten by the next step.
        let services = Services.happy()
        let paused = Gate()
        let hook: SagaStepHook = { _, step in
            if step == "stock-reserved" { await paused.wait() }
        }
        try await OrdersFixture.with(services, afterStep: hook) { fixture in
            async let checkout = fixture.checkout()
            try await waitUntil("the saga paused after the reservation") { paused.arrivals == 1 }
            let order = try await fixture.orders.openSagas().orderIds.first
            let reported = try shipment(try #require(order), "shp-0", .cancelled)
            try await fixture.harness.publish([
                try Envelope(ShipmentCancelled(shipment: reported), source: "/emporium/warehouse", subject: reported.orderId.rawValue)
            ])
            paused.open()
            let answered = try await checkout.body
            #expect(answered.status == .confirmed)
            #expect(answered.shipments.map(\.id) == ["shp-0"], "the shipment the event wrote is in the order answered")
            #expect(answered.timeline.map(\.step) == ["order-created", "stock-reserved", "payment-authorized", "confirmed", "cart-cleared"])
            try await fixture.waitUntilSagasFinish()
            let stored = try await fixture.orders.order(OrderReference(customerId: nil, orderId: answered.id))
            #expect(stored.timeline.map(\.step).suffix(2) == ["payment-captured", "fulfilment-requested"])
        }
    }

    @Test func anEmptyOrUnbuyableCartOrABadAddressIsRefusedBeforeAnythingHappens() async throws {
        var services = Services()
        services.cart.onCart = { query in
            var empty = sampleCart()
            empty.lines =
                query.owner.customerId == "c-empty"
                ? []
                : empty.lines.map { line in
                    var line = line
                    line.offSale = line.productId == "p-chair"
                    return line
                }
            return empty
        }
        services.customers.onAddress = { reference in throw CustomersError.addressNotFound(reference.addressId) }
        try await OrdersFixture.with(services) { fixture in
            await #expect(throws: OrdersError.emptyCart) { try await fixture.checkout(customerId: "c-empty") }
            await #expect(throws: OrdersError.cartNotPurchasable(["p-chair"])) { try await fixture.checkout() }
            let key = try IdempotencyKey("k-9")
            await #expect(throws: OrdersError.addressNotFound("adr-x")) {
                try await fixture.orders.checkout(
                    IdempotentRequest(key: key, caller: "c-1", body: CheckoutRequest(customerId: customer, addressId: "adr-x", card: visa))
                )
            }
            await #expect(throws: OrdersError.invalid("give exactly one of addressId and shippingAddress", field: "addressId")) {
                try await fixture.orders.checkout(IdempotentRequest(key: key, caller: "c-1", body: CheckoutRequest(customerId: customer, card: visa)))
            }
            var bad = address
            bad.postalCode = "12"
            do {
                _ = try await fixture.orders.checkout(
                    IdempotentRequest(key: key, caller: "c-1", body: CheckoutRequest(customerId: customer, shippingAddress: bad, card: visa))
                )
                Issue.record("a bad address was taken")
            } catch let error as OrdersError {
                #expect(error.problemType == "validation-failed")
                #expect(error.fieldErrors.map(\.field) == ["shippingAddress.postalCode"])
                #expect(error.detail.hasPrefix("The shipping address is not valid: shippingAddress.postalCode must be"))
            }
            #expect(try await fixture.orders.openSagas().count == 0)
        }
    }

    @Test func aSavedAddressIsSnapshotted() async throws {
        var services = Services.happy()
        services.customers.onAddress = { reference in
            SavedAddress(id: reference.addressId, address: address, isDefault: true, createdAt: Date(), updatedAt: Date())
        }
        try await OrdersFixture.with(services) { fixture in
            let key = try IdempotencyKey("k-saved")
            let order = try await fixture.orders.checkout(
                IdempotentRequest(key: key, caller: "c-1", body: CheckoutRequest(customerId: customer, addressId: "adr-1", card: visa))
            ).body
            #expect(order.shippingAddress == address)
            #expect(order.status == .confirmed)
        }
    }
}
