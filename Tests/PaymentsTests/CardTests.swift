import Commerce
import Foundation
import Payments
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// What each of Stripe's test numbers does, and the checks a card fails before any issuer sees it.
@Suite struct CardTests {
    @Test(arguments: [
        (TestCard.declined, DeclineCode.cardDeclined), (TestCard.insufficientFunds, .insufficientFunds), (TestCard.lostCard, .lostCard),
        (TestCard.stolenCard, .stolenCard), (TestCard.expiredCard, .expiredCard), (TestCard.incorrectCVC, .incorrectCVC),
        (TestCard.processingError, .processingError),
    ])
    func aDeclineIsAReplyThatHoldsNothing(number: String, code: DeclineCode) async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.authorize("o-1", number)
            #expect(intent.status == .requiresPaymentMethod)
            #expect(intent.lastDecline == Decline(code: code))
            #expect(intent.amountCapturable == euros(0))
            #expect(intent.card?.last4 == String(number.suffix(4)))
            #expect(intent.card?.brand == .visa)
            #expect(intent.captureBefore == nil)
            #expect(try await fixture.ledger(intent.id) == [])
            #expect(try await fixture.eventTypes(about: "o-1") == [])
            #expect(code.isRetryable == (code == .processingError))
        }
    }

    @Test(arguments: [TestCard.visa, TestCard.refundsFail, TestCard.mastercard, TestCard.amex, "4000056655665556", "6011111111111117"])
    func theOtherNumbersAreAuthorised(number: String) async throws {
        try await PaymentsFixture.with { fixture async throws in
            let cvc = CardBrand(number: number) == .amex ? "1234" : "123"
            let intent = try await fixture.authorize("o-1", number, amount: 2599, cvc: cvc)
            #expect(intent.status == .requiresCapture)
            #expect(intent.lastDecline == nil)
            #expect(intent.amountCapturable == euros(2599))
            #expect(intent.captureBefore == fixture.now.addingTimeInterval(7 * 86_400))
            #expect(intent.card?.brand == CardBrand(number: number))
            #expect(try await fixture.ledger(intent.id) == [Movement(kind: "hold", amount: 2599)])
            #expect(try await fixture.eventTypes(about: "o-1") == [PaymentAuthorized.eventType])
        }
    }

    @Test func afterADeclineTheNextCardIsTriedOnTheSameIntent() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let declined = try await fixture.authorize("o-1", TestCard.insufficientFunds)
            let authorised = try await fixture.authorize("o-1", TestCard.visa, amount: 4200)
            #expect(authorised.id == declined.id)
            #expect(authorised.status == .requiresCapture)
            #expect(authorised.amount == euros(4200))
            #expect(authorised.card?.last4 == "4242")
            #expect(authorised.lastDecline == nil)
            #expect(try await fixture.payments.payments(PaymentQuery(orderId: "o-1")).items.count == 1)
            // Once authorised, another authorisation of the order is refused.
            await #expect(throws: PaymentsError.unexpectedState(declined.id, .requiresCapture, operation: "authorize")) {
                try await fixture.authorize("o-1", TestCard.visa)
            }
        }
    }

    @Test func theSameCardHasTheSameFingerprintWhateverItsFormatting() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let plain = try await fixture.authorize("o-1", TestCard.visa)
            let spaced = try await fixture.authorize("o-2", "4242 4242 4242 4242")
            let dashed = try await fixture.authorize("o-3", "4242-4242-4242-4242")
            let other = try await fixture.authorize("o-4", TestCard.mastercard)
            #expect(plain.card?.fingerprint == spaced.card?.fingerprint)
            #expect(plain.card?.fingerprint == dashed.card?.fingerprint)
            #expect(plain.card?.fingerprint != other.card?.fingerprint)
            #expect(plain.card?.fingerprint.count == 64)
        }
    }

    @Test func cardsAreCheckedFieldByFieldBeforeAnyIssuer() async throws {
        try await PaymentsFixture.with { fixture async throws in
            // The fixture's time is 31 January 2026.
            let cases: [(CardDetails, String, String)] = [
                (card("4242424242424241"), "card.number", "fails the Luhn check"),
                (card("424242424242"), "card.number", "must have 13 to 19 digits"),
                (card("42424242424242424242"), "card.number", "must have 13 to 19 digits"),
                (card("4242x42424242424"), "card.number", "must hold only digits, spaces and dashes"),
                (card(TestCard.visa, month: 13), "card.expMonth", "must be from 1 to 12"),
                (card(TestCard.visa, month: 0), "card.expMonth", "must be from 1 to 12"),
                (card(TestCard.visa, month: 12, year: 2025), "card.expYear", "is in the past"),
                (card(TestCard.visa, month: 12, year: 29), "card.expYear", "must be a four-digit year"),
                (card(TestCard.visa, cvc: "12"), "card.cvc", "must be 3 digits"),
                (card(TestCard.visa, cvc: "1234"), "card.cvc", "must be 3 digits"),
                (card(TestCard.visa, cvc: "12a"), "card.cvc", "must be 3 digits"),
                (card(TestCard.amex, cvc: "123"), "card.cvc", "must be 4 digits"),
            ]
            for (details, field, reason) in cases {
                let request = AuthorizationRequest(orderId: "o-1", customerId: nil, amount: euros(100), card: details)
                await #expect(throws: PaymentsError.invalidCard(reason, field: field), "\(field) \(reason)") {
                    try await fixture.payments.authorize(fixture.request(request))
                }
            }
            // A card expiring this month is still good until the month ends (UTC).
            let thisMonth = try await fixture.payments.authorize(
                fixture.request(
                    AuthorizationRequest(orderId: "o-2", customerId: nil, amount: euros(100), card: card(TestCard.visa, month: 1, year: 2026))
                )
            )
            #expect(thisMonth.body.status == .requiresCapture)
            // Nothing was stored for the refused requests.
            #expect(try await fixture.number("SELECT count(*) FROM payment_intent") == 1)
            let error = PaymentsError.invalidCard("fails the Luhn check", field: "card.number")
            #expect(error.detail == "The card is not valid: card.number fails the Luhn check.")
            #expect(error.fieldErrors == [FieldError(field: "card.number", message: "fails the Luhn check")])
        }
    }

    @Test func aCardThatExpiredLastMonthIsRefusedByMonth() async throws {
        try await PaymentsFixture.with { fixture async throws in
            // A month on from 31 January 2026: March 2026.
            try await fixture.advance(by: .seconds(29 * 86_400))
            let request = AuthorizationRequest(orderId: "o-1", customerId: nil, amount: euros(100), card: card(TestCard.visa, month: 2, year: 2026))
            await #expect(throws: PaymentsError.invalidCard("is in the past", field: "card.expMonth")) {
                try await fixture.payments.authorize(fixture.request(request))
            }
        }
    }

    @Test func amountsAndOrdersAreChecked() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let valid = fixture.authorization("o-1", TestCard.visa)
            var zero = valid
            zero.amount = euros(0)
            var currency = valid
            currency.amount = Money(minorUnits: 100, currency: "euro")
            var order = valid
            order.orderId = ""
            await #expect(throws: PaymentsError.invalid("amount must be positive", field: "amount.minorUnits")) {
                try await fixture.payments.authorize(fixture.request(zero))
            }
            await #expect(throws: PaymentsError.invalid("amount.currency must be a three-letter ISO 4217 code such as EUR", field: "amount.currency"))
            {
                try await fixture.payments.authorize(fixture.request(currency))
            }
            await #expect(throws: PaymentsError.invalid("orderId must be 1 to 128 characters", field: "orderId")) {
                try await fixture.payments.authorize(fixture.request(order))
            }
        }
    }

    @Test func theBehaviourOfEachTestNumber() {
        #expect(CardBehaviour(number: TestCard.visa) == .succeeds)
        #expect(CardBehaviour(number: TestCard.refundsFail) == .refundsFail)
        #expect(CardBehaviour(number: TestCard.processingError) == .declines(.processingError))
        #expect(CardBehaviour(number: "4000000000000077") == .succeeds)
    }
}
