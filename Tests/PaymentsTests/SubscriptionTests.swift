import Commerce
import Foundation
import IdentityAPI
import Messaging
import Payments
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// Membership subscriptions: the first charge, renewals and dunning on a manual clock, cancellation, and the
/// deletion of an account.
@Suite struct SubscriptionTests {
    static let day: Duration = .seconds(86_400)

    /// A date in UTC.
    static func date(_ year: Int, _ month: Int, _ day: Int, hour: Int = 10) -> Date {
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!
    }

    @Test func subscribingChargesTheFirstPeriodAtOnce() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let subscription = try await fixture.subscribe("c-1")
            #expect(subscription.status == .active)
            #expect(subscription.plan == .plus)
            #expect(subscription.currentPeriodStart == PaymentsFixture.start)
            #expect(subscription.currentPeriodEnd == Self.date(2026, 2, 28))
            #expect(subscription.card.last4 == "4242")
            #expect(subscription.failedRenewals == 0 && subscription.nextRetryAt == nil && subscription.endedAt == nil)
            let data = try await fixture.payments.customerPayments("c-1")
            #expect(data.subscription == subscription)
            let charge = try #require(data.payments.first)
            #expect(data.payments.count == 1)
            #expect(charge.subscriptionId == subscription.id)
            #expect(charge.orderId == nil)
            #expect(charge.customerId == "c-1")
            #expect(charge.status == .succeeded)
            #expect(charge.amountCaptured == Plan.plus.price)
            #expect(try await fixture.ledger(charge.id) == [Movement(kind: "hold", amount: 499), Movement(kind: "capture", amount: 499)])
            #expect(try await fixture.eventTypes(about: charge.id.rawValue) == [PaymentAuthorized.eventType, PaymentCaptured.eventType])
            #expect(try await fixture.eventTypes(about: "c-1") == [SubscriptionStarted.eventType])
            #expect(try await fixture.payments.subscription("c-1") == subscription)
            // One running subscription per customer.
            await #expect(throws: PaymentsError.alreadySubscribed("c-1", .active)) { try await fixture.subscribe("c-1", TestCard.mastercard) }
            await #expect(throws: PaymentsError.subscriptionNotFound("c-2")) { try await fixture.payments.subscription("c-2") }
            #expect(try await fixture.payments.customerPayments("c-2") == CustomerPayments(subscription: nil, payments: []))
        }
    }

    @Test func aDeclinedFirstChargeIsAFailureThatStoresNothing() async throws {
        try await PaymentsFixture.with { fixture async throws in
            await #expect(throws: PaymentsError.cardDeclined(Decline(code: .lostCard))) { try await fixture.subscribe("c-1", TestCard.lostCard) }
            await #expect(throws: PaymentsError.invalidCard("fails the Luhn check", field: "card.number")) {
                try await fixture.subscribe("c-1", "4242424242424243")
            }
            #expect(try await fixture.number("SELECT count(*) FROM subscription") == 0)
            #expect(try await fixture.number("SELECT count(*) FROM payment_intent") == 0)
            #expect(try await fixture.number("SELECT count(*) FROM outbox") == 0)
            let error = PaymentsError.cardDeclined(Decline(code: .insufficientFunds))
            #expect(error.detail == "Your card has insufficient funds. The decline code is insufficient_funds.")
            #expect(error.fieldErrors == [FieldError(field: "card", message: "was declined (insufficient_funds)")])
            // With a card that works, the customer subscribes.
            #expect(try await fixture.subscribe("c-1").status == .active)
        }
    }

    @Test func renewalsFollowCalendarMonthsWithoutDrifting() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let first = try await fixture.subscribe("c-1")
            try await fixture.advance(by: Self.day * 27)
            #expect(try await fixture.payments.subscription("c-1") == first)
            // 28 February, 10:00: due.
            try await fixture.advance(by: Self.day)
            let renewed = try await fixture.payments.subscription("c-1")
            #expect(renewed.status == .active)
            #expect(renewed.currentPeriodStart == Self.date(2026, 2, 28))
            #expect(renewed.currentPeriodEnd == Self.date(2026, 3, 31))
            // 31 March: the period after ends on 30 April, counted from the start, not from 28 February.
            try await fixture.advance(by: Self.day * 31)
            let again = try await fixture.payments.subscription("c-1")
            #expect(again.currentPeriodStart == Self.date(2026, 3, 31))
            #expect(again.currentPeriodEnd == Self.date(2026, 4, 30))
            let charges = try await fixture.payments.customerPayments("c-1").payments
            #expect(charges.count == 3)
            #expect(charges.allSatisfy { $0.status == .succeeded && $0.subscriptionId == first.id && $0.amountCaptured == Plan.plus.price })
            #expect(
                try await fixture.eventTypes(about: "c-1") == [
                    SubscriptionStarted.eventType, SubscriptionRenewed.eventType, SubscriptionRenewed.eventType,
                ]
            )
            let event = try #require(try await fixture.events().last { $0.type == SubscriptionRenewed.eventType }).decode(SubscriptionRenewed.self)
            #expect(event.subscription == again)
            #expect(try await fixture.payments.checkLedger().isConsistent)
        }
    }

    @Test func declinedRenewalsAreRetriedAfterOneThreeAndFiveDaysThenTheSubscriptionLapses() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let subscription = try await fixture.subscribe("c-1")
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .declines(.insufficientFunds))
            let due = Self.date(2026, 2, 28)
            try await fixture.advance(by: Self.day * 28)
            var pastDue = try await fixture.payments.subscription("c-1")
            #expect(pastDue.status == .pastDue)
            #expect(pastDue.status.isMember)
            #expect(pastDue.failedRenewals == 1)
            #expect(pastDue.nextRetryAt == due.addingTimeInterval(86_400))
            #expect(pastDue.lastDecline == Decline(code: .insufficientFunds))
            #expect(pastDue.currentPeriodEnd == due)
            for (days, failures, retry) in [(1, 2, 3), (2, 3, 5)] {
                try await fixture.advance(by: Self.day * days)
                pastDue = try await fixture.payments.subscription("c-1")
                #expect(pastDue.status == .pastDue)
                #expect(pastDue.failedRenewals == failures)
                #expect(pastDue.nextRetryAt == due.addingTimeInterval(Double(retry) * 86_400))
            }
            // Day five after the due date: the last retry is declined too.
            try await fixture.advance(by: Self.day * 2)
            let lapsed = try await fixture.payments.subscription("c-1")
            #expect(lapsed.status == .lapsed)
            #expect(!lapsed.status.isMember)
            #expect(lapsed.failedRenewals == 4)
            #expect(lapsed.nextRetryAt == nil)
            #expect(lapsed.endedAt == due.addingTimeInterval(5 * 86_400))
            #expect(lapsed.lastDecline == Decline(code: .insufficientFunds))
            #expect(
                try await fixture.eventTypes(about: "c-1") == [
                    SubscriptionStarted.eventType, SubscriptionRenewalFailed.eventType, SubscriptionRenewalFailed.eventType,
                    SubscriptionRenewalFailed.eventType, SubscriptionLapsed.eventType,
                ]
            )
            let failed = try #require(try await fixture.events().first { $0.type == SubscriptionRenewalFailed.eventType })
            #expect(try failed.decode(SubscriptionRenewalFailed.self).subscription.lastDecline?.code == .insufficientFunds)
            // Only the first period was charged; nothing more happens, and the customer may subscribe again.
            #expect(try await fixture.payments.customerPayments("c-1").payments.count == 1)
            try await fixture.advance(by: Self.day * 40)
            #expect(try await fixture.payments.subscription("c-1") == lapsed)
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .succeeds)
            #expect(try await fixture.subscribe("c-1").status == .active)
        }
    }

    @Test func aRetryThatSucceedsReactivatesTheSubscription() async throws {
        try await PaymentsFixture.with { fixture async throws in
            let subscription = try await fixture.subscribe("c-1")
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .declines(.cardDeclined))
            try await fixture.advance(by: Self.day * 28)
            #expect(try await fixture.payments.subscription("c-1").status == .pastDue)
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .succeeds)
            try await fixture.advance(by: Self.day)
            let active = try await fixture.payments.subscription("c-1")
            #expect(active.status == .active)
            #expect(active.failedRenewals == 0)
            #expect(active.nextRetryAt == nil)
            #expect(active.lastDecline == nil)
            // The new period runs from the due date, so the billing day stays the same.
            #expect(active.currentPeriodStart == Self.date(2026, 2, 28))
            #expect(active.currentPeriodEnd == Self.date(2026, 3, 31))
            #expect(
                try await fixture.eventTypes(about: "c-1") == [
                    SubscriptionStarted.eventType, SubscriptionRenewalFailed.eventType, SubscriptionRenewed.eventType,
                ]
            )
            #expect(try await fixture.payments.customerPayments("c-1").payments.count == 2)
        }
    }

    @Test func shortPeriodsAndRetriesComeFromTheSettings() async throws {
        let settings = ["payments.subscription-period": "3600", "payments.renewal-retries": "600", "payments.sweep-interval": "60"]
        try await PaymentsFixture.with(settings: settings) { fixture async throws in
            let subscription = try await fixture.subscribe("c-1")
            #expect(subscription.currentPeriodEnd == PaymentsFixture.start.addingTimeInterval(3600))
            try await fixture.advance(by: .seconds(3600))
            #expect(try await fixture.payments.subscription("c-1").currentPeriodEnd == PaymentsFixture.start.addingTimeInterval(7200))
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .declines(.expiredCard))
            try await fixture.advance(by: .seconds(3600))
            #expect(try await fixture.payments.subscription("c-1").nextRetryAt == PaymentsFixture.start.addingTimeInterval(7800))
            try await fixture.advance(by: .seconds(600))
            #expect(try await fixture.payments.subscription("c-1").status == .lapsed)
        }
    }

    @Test func cancellingEndsASubscriptionAtOnceAndAgainChangesNothing() async throws {
        try await PaymentsFixture.with { fixture async throws in
            await #expect(throws: PaymentsError.subscriptionNotFound("c-1")) { try await fixture.payments.cancelSubscription("c-1") }
            #expect(PaymentsError.subscriptionNotFound("c-1").detail == "You have no membership subscription.")
            _ = try await fixture.subscribe("c-1")
            try await fixture.advance(by: .seconds(3600))
            let canceled = try await fixture.payments.cancelSubscription("c-1")
            #expect(canceled.status == .canceled)
            #expect(canceled.endedAt == fixture.now)
            #expect(try await fixture.payments.cancelSubscription("c-1") == canceled)
            #expect(try await fixture.payments.subscription("c-1") == canceled)
            #expect(try await fixture.eventTypes(about: "c-1") == [SubscriptionStarted.eventType, SubscriptionCancelled.eventType])
            // No renewal for a canceled subscription.
            try await fixture.advance(by: Self.day * 40)
            #expect(try await fixture.payments.customerPayments("c-1").payments.count == 1)
            // A new subscription is the current one.
            let again = try await fixture.subscribe("c-1")
            #expect(again.id != canceled.id)
            #expect(try await fixture.payments.subscription("c-1") == again)
        }
    }

    @Test func deletingAnAccountCancelsItsSubscriptionAndKeepsItsPayments() async throws {
        try await PaymentsFixture.with { fixture async throws in
            _ = try await fixture.subscribe("c-1")
            _ = try await fixture.capture(try await fixture.authorize("o-1", customer: "c-1").id)
            let deleted = try Envelope(UserDeleted(userId: "c-1", deletedAt: fixture.now), source: "/emporium/identity", subject: "c-1")
            try await fixture.harness.publish([deleted])
            let canceled = try await fixture.payments.subscription("c-1")
            #expect(canceled.status == .canceled)
            #expect(try await fixture.eventTypes(about: "c-1") == [SubscriptionStarted.eventType, SubscriptionCancelled.eventType])
            #expect(try await fixture.payments.customerPayments("c-1").payments.count == 2)
            // Delivered again, or for someone without a subscription, it changes nothing.
            try await fixture.harness.publish([deleted])
            let stranger = try Envelope(UserDeleted(userId: "c-2", deletedAt: fixture.now), source: "/emporium/identity", subject: "c-2")
            try await fixture.harness.publish([stranger])
            #expect(try await fixture.eventTypes(about: "c-1").count == 2)
            #expect(try await fixture.number("SELECT count(*) FROM dead_letters") == 0)
        }
    }
}
