import Commerce
import Foundation
import Messaging
import Payments
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// Captures, voids, refunds and expiry through the module's endpoints, with their ledger rows and events.
@Suite struct PaymentFlowTests {
    @Test func aPartialCaptureReleasesTheRestOfTheHold() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.authorize("o-1", amount: 5000)
            let captured = try await fixture.capture(intent.id, 3500)
            #expect(captured.status == .succeeded)
            #expect(captured.amountCaptured == euros(3500))
            #expect(captured.amountCapturable == euros(0))
            #expect(captured.captureBefore == nil)
            #expect(
                try await fixture.ledger(intent.id) == [
                    Movement(kind: "hold", amount: 5000), Movement(kind: "capture", amount: 3500), Movement(kind: "release", amount: 1500),
                ]
            )
            #expect(try await fixture.eventTypes(about: "o-1") == [PaymentAuthorized.eventType, PaymentCaptured.eventType])
            let event = try #require(try await fixture.events().last).decode(PaymentCaptured.self)
            #expect(event.amount == euros(3500))
            #expect(event.intent == captured)
            // Capturing again, or beyond the hold, is refused.
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .succeeded, operation: "capture")) { try await fixture.capture(intent.id) }
            let other = try await fixture.authorize("o-2", amount: 1000)
            await #expect(throws: PaymentsError.amountTooLarge(requested: euros(1001), available: euros(1000), operation: "capture")) {
                try await fixture.capture(other.id, 1001)
            }
            await #expect(throws: PaymentsError.paymentNotFound("pi_missing")) { try await fixture.capture("pi_missing") }
        }
    }

    @Test func refundsTogetherNeverExceedTheCapture() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.authorize("o-1", amount: 5000)
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .requiresCapture, operation: "refund")) {
                try await fixture.refund(intent.id)
            }
            _ = try await fixture.capture(intent.id, 4000)
            let first = try await fixture.refund(intent.id, 1000)
            #expect(first.amountRefunded == euros(1000))
            #expect(first.refunds.map(\.status) == [.succeeded])
            await #expect(throws: PaymentsError.amountTooLarge(requested: euros(3001), available: euros(3000), operation: "refund")) {
                try await fixture.refund(intent.id, 3001)
            }
            let rest = try await fixture.refund(intent.id)
            #expect(rest.amountRefunded == euros(4000))
            #expect(rest.refunds.map(\.amount) == [euros(1000), euros(3000)])
            await #expect(throws: PaymentsError.invalid("nothing is left to refund", field: "amount")) { try await fixture.refund(intent.id) }
            await #expect(throws: PaymentsError.amountTooLarge(requested: euros(1), available: euros(0), operation: "refund")) {
                try await fixture.refund(intent.id, 1)
            }
            #expect(
                try await fixture.eventTypes(about: "o-1") == [
                    PaymentAuthorized.eventType, PaymentCaptured.eventType, PaymentRefunded.eventType, PaymentRefunded.eventType,
                ]
            )
            let refunded = try #require(try await fixture.events().last).decode(PaymentRefunded.self)
            #expect(refunded.refund == rest.refunds[1])
            #expect(refunded.intent == rest)
            let detail = PaymentsError.amountTooLarge(requested: euros(3001), available: euros(3000), operation: "refund").detail
            #expect(detail == "A refund of 30.01 EUR is more than the 30.00 EUR left to refund.")
        }
    }

    @Test func refundsOfACardWhoseRefundsFailArePendingThenFailAndTheAmountIsRefundableAgain() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.authorize("o-1", TestCard.refundsFail, amount: 5000)
            _ = try await fixture.capture(intent.id)
            let pending = try await fixture.refund(intent.id, 2000)
            #expect(pending.refunds.map(\.status) == [.pending])
            #expect(pending.amountRefunded == euros(2000))
            // The network answers at the sweeper's next pass.
            try await fixture.advance(by: .seconds(60))
            let failed = try await fixture.payments.payment(intent.id)
            #expect(failed.refunds.map(\.status) == [.failed])
            #expect(failed.refunds.first?.failureReason?.hasSuffix(".") == true)
            #expect(failed.amountRefunded == euros(0))
            #expect(
                try await fixture.ledger(intent.id) == [
                    Movement(kind: "hold", amount: 5000), Movement(kind: "capture", amount: 5000), Movement(kind: "refund", amount: 2000),
                    Movement(kind: "refund_failed", amount: 2000),
                ]
            )
            let event = try #require(try await fixture.events().last).decode(RefundFailed.self)
            #expect(event.refund == failed.refunds[0])
            #expect(event.intent == failed)
            #expect(try await fixture.eventTypes(about: "o-1").last == RefundFailed.eventType)
            // The whole capture can be refunded again.
            #expect(try await fixture.refund(intent.id).amountRefunded == euros(5000))
            #expect(try await fixture.payments.checkLedger().isConsistent)
        }
    }

    @Test func cancelVoidsAnUncapturedIntentAndASecondCancelReturnsItUnchanged() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.authorize("o-1")
            let canceled = try await fixture.cancel(intent.id, reason: .abandoned)
            #expect(canceled.status == .canceled)
            #expect(canceled.cancellationReason == .abandoned)
            #expect(canceled.amountCapturable == euros(0))
            #expect(try await fixture.ledger(intent.id) == [Movement(kind: "hold", amount: 5000), Movement(kind: "release", amount: 5000)])
            let again = try await fixture.cancel(intent.id, reason: .requestedByCustomer)
            #expect(again == canceled)
            #expect(try await fixture.eventTypes(about: "o-1") == [PaymentAuthorized.eventType, PaymentVoided.eventType])
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .canceled, operation: "capture")) { try await fixture.capture(intent.id) }
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .canceled, operation: "authorize")) {
                try await fixture.authorize("o-1")
            }
            // A declined intent can be voided too; a captured one cannot.
            let declined = try await fixture.authorize("o-2", TestCard.declined)
            #expect(try await fixture.cancel(declined.id).status == .canceled)
            #expect(try await fixture.ledger(declined.id) == [])
            let captured = try await fixture.capture(try await fixture.authorize("o-3").id)
            await #expect(throws: PaymentsError.unexpectedState(captured.id, .succeeded, operation: "cancel")) {
                try await fixture.cancel(captured.id)
            }
            #expect(
                PaymentsError.unexpectedState(captured.id, .succeeded, operation: "cancel").detail
                    == "Payment \(captured.id.rawValue) is succeeded, so it cannot be canceled."
            )
        }
    }

    @Test func anAuthorisationNotCapturedWithinTheWindowExpires() async throws {
        try await PaymentsFixture.with(settings: ["payments.capture-window": "3600"]) { fixture async throws in
            let intent = try await fixture.authorize("o-1")
            #expect(intent.captureBefore == fixture.now.addingTimeInterval(3600))
            let kept = try await fixture.authorize("o-2")
            _ = try await fixture.capture(kept.id)
            try await fixture.advance(by: .seconds(3540))
            #expect(try await fixture.payments.payment(intent.id).status == .requiresCapture)
            try await fixture.advance(by: .seconds(60))
            let expired = try await fixture.payments.payment(intent.id)
            #expect(expired.status == .canceled)
            #expect(expired.cancellationReason == .expired)
            #expect(expired.amountCapturable == euros(0))
            #expect(try await fixture.ledger(intent.id) == [Movement(kind: "hold", amount: 5000), Movement(kind: "release", amount: 5000)])
            #expect(try await fixture.eventTypes(about: "o-1") == [PaymentAuthorized.eventType, AuthorizationExpired.eventType])
            #expect(try #require(try await fixture.events().last).decode(AuthorizationExpired.self).intent == expired)
            #expect(try await fixture.payments.payment(kept.id).status == .succeeded)
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .canceled, operation: "capture")) { try await fixture.capture(intent.id) }
        }
    }

    @Test func aCaptureAfterTheWindowButBeforeTheSweepFindsTheIntentExpired() async throws {
        try await PaymentsFixture.with(settings: ["payments.capture-window": "30", "payments.sweep-interval": "3600"]) { fixture async throws in
            let intent = try await fixture.authorize("o-1")
            let other = try await fixture.authorize("o-2")
            try await fixture.advance(by: .seconds(30))
            // The sweeper sleeps for an hour yet; the capture sees the window has run out and expires the intent.
            await #expect(throws: PaymentsError.unexpectedState(intent.id, .canceled, operation: "capture")) { try await fixture.capture(intent.id) }
            #expect(try await fixture.payments.payment(intent.id).cancellationReason == .expired)
            #expect(try await fixture.eventTypes(about: "o-1") == [PaymentAuthorized.eventType, AuthorizationExpired.eventType])
            // A cancel answers with the expired intent.
            let canceled = try await fixture.cancel(other.id)
            #expect(canceled.cancellationReason == .expired)
            #expect(try await fixture.eventTypes(about: "o-2") == [PaymentAuthorized.eventType, AuthorizationExpired.eventType])
        }
    }

    @Test func paymentsAreListedNewestFirstAPageAtATime() async throws {
        try await PaymentsFixture.with { fixture async throws in
            var made: [PaymentIntent] = []
            for number in 1...7 {
                made.append(try await fixture.authorize(OrderID(rawValue: "o-\(number)"), customer: number % 2 == 0 ? "c-2" : "c-1"))
                try await fixture.advance(by: .seconds(1))
            }
            var seen: [PaymentIntent] = []
            var cursor: String?
            repeat {
                let page = try await fixture.payments.payments(PaymentQuery(cursor: cursor, limit: 3))
                #expect(page.items.count <= 3)
                seen += page.items
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == made.reversed())
            let second = try await fixture.payments.payments(PaymentQuery(customerId: "c-2", limit: 100))
            #expect(second.items.map(\.orderId) == ["o-6", "o-4", "o-2"])
            #expect(second.nextCursor == nil)
            #expect(try await fixture.payments.payments(PaymentQuery(orderId: "o-5")).items.map(\.id) == [made[4].id])
            for limit in [0, 101] {
                await #expect(throws: PaymentsError.invalid("limit must be from 1 to 100", field: "limit")) {
                    try await fixture.payments.payments(PaymentQuery(limit: limit))
                }
            }
            await #expect(throws: PaymentsError.invalid("cursor is not one this service gave out; start again without it", field: "cursor")) {
                try await fixture.payments.payments(PaymentQuery(cursor: "nonsense"))
            }
            await #expect(throws: PaymentsError.paymentNotFound("pi_none")) { try await fixture.payments.payment("pi_none") }
            #expect(PaymentsError.paymentNotFound("pi_none").detail == "No payment has the id pi_none.")
        }
    }
}
