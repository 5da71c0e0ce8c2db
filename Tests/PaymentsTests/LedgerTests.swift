import Commerce
import Foundation
import Payments
import PaymentsAPI
import ServiceKit
import Storage
import TestSupport
import Testing

/// The ledger accounts for every figure after a mixed workload, and says in sentences when it does not.
@Suite struct LedgerTests {
    @Test func theLedgerAgreesWithEveryIntentAfterAMixedWorkload() async throws {
        try await PaymentsFixture.with(settings: ["payments.capture-window": "7200"]) { fixture async throws in
            let cards = [TestCard.visa, TestCard.refundsFail, TestCard.mastercard, TestCard.insufficientFunds, TestCard.visa, TestCard.declined]
            var intents: [PaymentIntent] = []
            for number in 0..<30 {
                let order = OrderID(rawValue: "o-\(number)")
                var intent = try await fixture.authorize(order, cards[number % cards.count], amount: Int64(1000 + 37 * number))
                if intent.status == .requiresPaymentMethod && number % 3 == 0 {
                    // Another card after the decline.
                    intent = try await fixture.authorize(order, TestCard.visa, amount: intent.amount.minorUnits)
                }
                intents.append(intent)
            }
            for (number, intent) in intents.enumerated() where intent.status == .requiresCapture {
                switch number % 5 {
                case 0: _ = try await fixture.capture(intent.id)
                case 1: _ = try await fixture.capture(intent.id, intent.amount.minorUnits / 2)
                case 2: _ = try await fixture.cancel(intent.id)
                case 3:
                    _ = try await fixture.capture(intent.id, intent.amount.minorUnits - 1)
                    _ = try await fixture.refund(intent.id, 100)
                    _ = try await fixture.refund(intent.id)
                default: break  // left to expire
                }
            }
            for (number, intent) in intents.enumerated() where number % 5 == 0 && intent.status == .requiresCapture {
                _ = try await fixture.refund(intent.id, 250)
            }
            for customer in 1...3 { _ = try await fixture.subscribe(CustomerID(rawValue: "c-\(customer)")) }
            // Refunds fail, authorisations expire, and a month later the subscriptions renew.
            try await fixture.advance(by: .seconds(7200))
            try await fixture.advance(by: .seconds(28 * 86_400))
            let check = try await fixture.payments.checkLedger()
            #expect(check.discrepancies == [])
            #expect(check.isConsistent)
            #expect(check.intentsChecked == (try await fixture.number("SELECT count(*) FROM payment_intent")))
            #expect(check.movements == (try await fixture.number("SELECT count(*) FROM ledger")))
            #expect(try await fixture.number("SELECT count(*) FROM ledger WHERE kind = 'refund_failed'") > 0)
            #expect(try await fixture.number("SELECT count(*) FROM payment_intent WHERE cancellation_reason = 'expired'") > 0)
            #expect(try await fixture.number("SELECT count(*) FROM payment_intent WHERE subscription_id IS NOT NULL") == 6)
        }
    }

    @Test func aFigureTheLedgerDoesNotAccountForIsReportedInASentence() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let intent = try await fixture.capture(try await fixture.authorize("o-1", amount: 5000).id)
            _ = try await fixture.refund(intent.id, 1000)
            try await fixture.harness.database.write { connection in
                try connection.execute("UPDATE payment_intent SET amount_captured = 4900 WHERE id = ?", [intent.id.rawValue])
            }
            let check = try await fixture.payments.checkLedger()
            #expect(!check.isConsistent)
            #expect(check.intentsChecked == 1)
            #expect(check.movements == 3)
            #expect(check.discrepancies == ["Payment \(intent.id.rawValue) has amountCaptured 49.00 EUR, but its ledger adds up to 50.00 EUR."])
        }
    }
}
