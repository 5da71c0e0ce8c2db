import Commerce
import Foundation
import Payments
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// Every operation that moves money runs once per idempotency key: a replay is the first reply, marked, and moves
/// nothing again; the same key with another request is refused.
@Suite struct IdempotencyTests {
    /// Ledger rows, outbox events, intents, refunds and subscriptions: what a repeated operation must not add to.
    func totals(_ fixture: PaymentsFixture) async throws -> [Int] {
        [
            try await fixture.number("SELECT count(*) FROM ledger"), try await fixture.number("SELECT count(*) FROM outbox"),
            try await fixture.number("SELECT count(*) FROM payment_intent"), try await fixture.number("SELECT count(*) FROM refund"),
            try await fixture.number("SELECT count(*) FROM subscription"),
        ]
    }

    @Test func everyMutatingOperationReplaysItsFirstReplyAndMovesNothingAgain() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let payments = fixture.payments
            // authorize
            let authorization = fixture.request(fixture.authorization("o-1", TestCard.visa))
            let authorised = try await payments.authorize(authorization)
            #expect(!authorised.replayed)
            var before = try await totals(fixture)
            let authorisedAgain = try await payments.authorize(authorization)
            #expect(authorisedAgain.replayed)
            #expect(authorisedAgain.body == authorised.body)
            #expect(try await totals(fixture) == before)

            // a declined authorisation is a reply too, remembered under its key
            let declinedRequest = fixture.request(fixture.authorization("o-2", TestCard.insufficientFunds))
            let declined = try await payments.authorize(declinedRequest)
            before = try await totals(fixture)
            let declinedAgain = try await payments.authorize(declinedRequest)
            #expect(declinedAgain.replayed && declinedAgain.body == declined.body)
            #expect(declinedAgain.body.lastDecline?.code == .insufficientFunds)
            #expect(try await totals(fixture) == before)

            // capture
            let capture = fixture.request(CaptureRequest(intentId: authorised.body.id, amount: euros(4000)))
            let captured = try await payments.capture(capture)
            before = try await totals(fixture)
            let capturedAgain = try await payments.capture(capture)
            #expect(capturedAgain.replayed && capturedAgain.body == captured.body)
            #expect(try await totals(fixture) == before)

            // refund
            let refund = fixture.request(RefundRequest(intentId: authorised.body.id, amount: euros(1000)))
            let refunded = try await payments.refund(refund)
            before = try await totals(fixture)
            let refundedAgain = try await payments.refund(refund)
            #expect(refundedAgain.replayed && refundedAgain.body == refunded.body)
            #expect(refundedAgain.body.amountRefunded == euros(1000))
            #expect(try await totals(fixture) == before)

            // cancel
            let other = try await fixture.authorize("o-3")
            let cancel = fixture.request(CancellationRequest(intentId: other.id, reason: .abandoned))
            let canceled = try await payments.cancel(cancel)
            before = try await totals(fixture)
            let canceledAgain = try await payments.cancel(cancel)
            #expect(canceledAgain.replayed && canceledAgain.body == canceled.body)
            #expect(try await totals(fixture) == before)

            // subscribe
            let subscribe = fixture.request(SubscriptionRequest(customerId: "c-9", plan: .plus, card: card(TestCard.visa)))
            let subscribed = try await payments.subscribe(subscribe)
            before = try await totals(fixture)
            let subscribedAgain = try await payments.subscribe(subscribe)
            #expect(subscribedAgain.replayed && subscribedAgain.body == subscribed.body)
            #expect(try await totals(fixture) == before)

            // The ledger has each movement once.
            #expect(
                try await fixture.ledger(authorised.body.id) == [
                    Movement(kind: "hold", amount: 5000), Movement(kind: "capture", amount: 4000), Movement(kind: "release", amount: 1000),
                    Movement(kind: "refund", amount: 1000),
                ]
            )
        }
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let key = PaymentsFixture.key()
            let intent = try await fixture.authorize("o-1", key: key)
            let before = try await totals(fixture)
            // Another amount, another card, another verification code, or another endpoint.
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.authorize("o-1", amount: 5001, key: key) }
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.authorize("o-1", TestCard.mastercard, key: key) }
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.authorize("o-1", cvc: "124", key: key) }
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.capture(intent.id, key: key) }
            #expect(try await totals(fixture) == before)
            let captureKey = PaymentsFixture.key()
            _ = try await fixture.capture(intent.id, 100, key: captureKey)
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.capture(intent.id, 200, key: captureKey) }
            let refundKey = PaymentsFixture.key()
            _ = try await fixture.refund(intent.id, 50, key: refundKey)
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.refund(intent.id, 40, key: refundKey) }
            let subscribeKey = PaymentsFixture.key()
            _ = try await fixture.subscribe("c-1", key: subscribeKey)
            await #expect(throws: IdempotencyFailure.keyReused) { try await fixture.subscribe("c-2", key: subscribeKey) }
        }
    }

    @Test func aFailedOperationReleasesItsKey() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let key = PaymentsFixture.key()
            let intent = try await fixture.authorize("o-1", amount: 1000)
            await #expect(throws: PaymentsError.amountTooLarge(requested: euros(2000), available: euros(1000), operation: "capture")) {
                try await fixture.capture(intent.id, 2000, key: key)
            }
            // Refused, the key is free: the same key and request run again, and fail again.
            await #expect(throws: PaymentsError.self) { try await fixture.capture(intent.id, 2000, key: key) }
            // A subscription's decline is a failure: nothing is stored and the key may be used again.
            let subscribeKey = PaymentsFixture.key()
            await #expect(throws: PaymentsError.cardDeclined(Decline(code: .insufficientFunds))) {
                try await fixture.subscribe("c-1", TestCard.insufficientFunds, key: subscribeKey)
            }
            #expect(try await fixture.number("SELECT count(*) FROM subscription") == 0)
            #expect(try await fixture.number("SELECT count(*) FROM idempotency_keys") == 1)
        }
    }

    @Test func twentyConcurrentAuthorisationsOfOneOrderMakeOneIntentAndOneHold() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let outcomes = await withTaskGroup(of: Result<PaymentIntent, any Error>.self) { group in
                for _ in 0..<20 {
                    group.addTask { await Result { try await fixture.authorize("o-1", amount: 5000) } }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let authorised = outcomes.compactMap { try? $0.get() }
            #expect(authorised.count == 1)
            for case .failure(let error) in outcomes {
                #expect(error as? PaymentsError == .unexpectedState(authorised.first?.id ?? "", .requiresCapture, operation: "authorize"))
            }
            #expect(try await fixture.number("SELECT count(*) FROM payment_intent") == 1)
            #expect(try await fixture.number("SELECT count(*) FROM ledger WHERE kind = 'hold'") == 1)
            #expect(try await fixture.number("SELECT count(*) FROM outbox") == 1)
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
