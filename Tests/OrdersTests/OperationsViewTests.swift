import Commerce
import InventoryAPI
import Orders
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Synchronization
import TestSupport
import Testing

/// What operators see of Orders: the sagas in flight with their phase, the compensating ones, and the orders per status.
@Suite struct OperationsViewTests {
    @Test func aSagaStoppedMidwayIsListedWithItsPhaseAndLastStep() async throws {
        let services = Services.happy()
        let stopped = Mutex(false)
        // The saga stops right after persisting the reservation, as a crash would, and waits for the recovery loop.
        let hook: SagaStepHook = { _, step in
            guard step == "stock-reserved" else { return }
            let first = stopped.withLock { done in
                defer { done = true }
                return !done
            }
            if first { throw CancellationError() }
        }
        try await OrdersFixture.with(services, settings: ["orders.checkout-deadline": "0.3"], afterStep: hook) { fixture in
            let order = try await fixture.checkout().body
            try await waitUntil("the saga stopped after the reservation") {
                try await fixture.orders.openSagas().sagas.first?.lastStep?.step == "stock-reserved"
            }
            let open = try await fixture.orders.openSagas()
            #expect(open.orderIds == [order.id])
            let saga = try #require(open.sagas.first)
            #expect(saga.number == "EMP-000001")
            #expect(saga.customerId == customer)
            #expect(saga.status == .pending)
            #expect(saga.phase == .authorizing, "the reservation is persisted; the card comes next")
            #expect(!saga.compensating)
            #expect(saga.compensatingTo == nil)
            #expect(saga.since == order.createdAt)
            #expect(saga.updatedAt >= saga.since)
            #expect(try await fixture.orders.summary().count(.pending) == 1)

            try await fixture.advance(by: .seconds(61))
            try await fixture.waitUntilSagasFinish()
            #expect(try await fixture.orders.openSagas().sagas.isEmpty)
        }
    }

    @Test func aCompensationThatKeepsFailingIsListedAsCompensatingUntilItIsDone() async throws {
        var services = Services.happy()
        let releases = Mutex(true)
        services.payments.onAuthorize = { request in
            IdempotentReply(body: intent(request.body.orderId, .requiresPaymentMethod, decline: .cardDeclined), replayed: false)
        }
        services.inventory.onRelease = { order in
            guard releases.withLock({ !$0 }) else { throw ServiceDown() }
            return reservation(order, .released)
        }
        try await OrdersFixture.with(services, settings: ["orders.checkout-deadline": "0.3"]) { fixture in
            let order = try await fixture.checkout().body
            // Three releases without an answer: the compensation waits for the recovery loop's next pass.
            try await waitUntil("the release was given up for this pass") {
                let saga = try await fixture.orders.openSagas().sagas.first
                return saga?.attempts == 3 && saga?.lastStep?.step == "retry"
            }
            let saga = try #require(try await fixture.orders.openSagas().sagas.first)
            #expect(saga.orderId == order.id)
            #expect(saga.phase == .releasing)
            #expect(saga.compensating)
            #expect(saga.compensatingTo == .paymentFailed)
            #expect(saga.status == .pending, "the order takes its end status once the stock is released")
            #expect(saga.lastStep?.outcome == "retrying")

            releases.withLock { $0 = false }
            try await fixture.advance(by: .seconds(61))
            try await fixture.waitUntilSagasFinish()
            let summary = try await fixture.orders.summary()
            #expect(summary.count(.paymentFailed) == 1)
            #expect(summary.count(.pending) == 0)
        }
    }

    @Test func theSummaryCountsOrdersInEveryStatus() async throws {
        var services = Services.happy()
        let card = CardDetails(number: "4000000000000002", expMonth: 12, expYear: 2040, cvc: "123")
        let authorize = services.payments.onAuthorize
        services.payments.onAuthorize = { request in
            guard request.body.card.number == card.number else { return try await authorize(request) }
            return IdempotentReply(body: intent(request.body.orderId, .requiresPaymentMethod, decline: .cardDeclined), replayed: false)
        }
        try await OrdersFixture.with(services) { fixture in
            let empty = try await fixture.orders.summary()
            #expect(empty.total == 0)
            #expect(empty.byStatus.map(\.status) == OrderStatus.allCases, "every status is listed, zeros included")

            #expect(try await fixture.checkout(key: "k-1").body.status == .confirmed)
            #expect(try await fixture.checkout(key: "k-2").body.status == .confirmed)
            #expect(try await fixture.checkout(key: "k-3", card: card).body.status == .paymentFailed)
            try await fixture.waitUntilSagasFinish()
            let summary = try await fixture.orders.summary()
            #expect(summary.total == 3)
            #expect(summary.count(.confirmed) == 2)
            #expect(summary.count(.paymentFailed) == 1)
            #expect(summary.byStatus.filter { $0.count > 0 }.map(\.status) == [.paymentFailed, .confirmed])
        }
    }
}
