import Commerce
import Foundation
import ModuleKit
import Payments
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

@Suite struct PaymentsSettingsTests {
    @Test func badSettingsAreRefusedWithSentences() async throws {
        let cases = [
            ("payments.capture-window", "a week", "payments.capture-window must be a positive number of seconds, not 'a week'"),
            ("payments.subscription-period", "0", "payments.subscription-period must be a positive number of seconds, not '0'"),
            ("payments.sweep-interval", "-5", "payments.sweep-interval must be a positive number of seconds, not '-5'"),
            (
                "payments.renewal-retries", "86400,3600",
                "payments.renewal-retries must be increasing positive numbers of seconds separated by commas, or none, not '86400,3600'"
            ),
            (
                "payments.renewal-retries", "1,,3",
                "payments.renewal-retries must be increasing positive numbers of seconds separated by commas, or none, not '1,,3'"
            ),
        ]
        for (key, value, sentence) in cases {
            await #expect("\(key)=\(value)") {
                try await PaymentsFixture.with(settings: [key: value]) { _ in }
            } throws: { "\($0)" == sentence }
        }
    }

    @Test func withoutRetriesADeclinedRenewalLapsesAtOnce() async throws {
        try await PaymentsFixture.with(settings: ["payments.renewal-retries": "none", "payments.subscription-period": "600"]) {
            fixture async throws in
            let subscription = try await fixture.subscribe("c-1")
            try await fixture.service.simulateCardBehaviour(fingerprint: subscription.card.fingerprint, .declines(.stolenCard))
            try await fixture.advance(by: .seconds(600))
            let lapsed = try await fixture.payments.subscription("c-1")
            #expect(lapsed.status == .lapsed)
            #expect(lapsed.lastDecline?.code == .stolenCard)
        }
    }

    @Test func theScheduleCountsMonthsFromTheAnchorAndRetriesFromTheDueDate() {
        let schedule = RenewalSchedule()
        let anchor = SubscriptionTests.date(2028, 1, 31)
        #expect(schedule.end(ofPeriod: 1, anchor: anchor) == SubscriptionTests.date(2028, 2, 29))
        #expect(schedule.end(ofPeriod: 2, anchor: anchor) == SubscriptionTests.date(2028, 3, 31))
        #expect(schedule.end(ofPeriod: 12, anchor: anchor) == SubscriptionTests.date(2029, 1, 31))
        let due = SubscriptionTests.date(2028, 2, 29)
        #expect(schedule.retry(after: 1, due: due) == SubscriptionTests.date(2028, 3, 1))
        #expect(schedule.retry(after: 3, due: due) == SubscriptionTests.date(2028, 3, 5))
        #expect(schedule.retry(after: 4, due: due) == nil)
        let hourly = RenewalSchedule(period: .fixed(.seconds(3600)), retries: [])
        #expect(hourly.end(ofPeriod: 3, anchor: anchor) == anchor.addingTimeInterval(3 * 3600))
        #expect(hourly.retry(after: 1, due: due) == nil)
    }
}

@Suite struct PaymentsErrorTests {
    /// Every failure has a problem type for programs and a sentence for people, without Swift names in it.
    @Test func everyFailureHasAProblemTypeAndASentence() {
        let failures: [PaymentsError] = [
            .cardDeclined(Decline(code: .stolenCard)), .invalidCard("fails the Luhn check", field: "card.number"), .paymentNotFound("pi_1"),
            .unexpectedState("pi_1", .requiresPaymentMethod, operation: "capture"), .unexpectedState("pi_1", .canceled, operation: "authorize"),
            .unexpectedState("pi_1", .succeeded, operation: "refund"),
            .amountTooLarge(requested: euros(200), available: euros(100), operation: "capture"), .subscriptionNotFound("c-1"),
            .alreadySubscribed("c-1", .pastDue), .invalid("limit must be from 1 to 100", field: "limit"), .invalid("nothing is left to refund"),
        ]
        for failure in failures {
            #expect(failure.problemType.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*/#) != nil, "\(failure.problemType)")
            // A decline names its code in a second sentence.
            #expect(
                failure.detail.first?.isUppercase == true && failure.detail.hasSuffix("."),
                "\(failure.detail)"
            )
            let texts = [failure.detail] + failure.fieldErrors.flatMap { [$0.field, $0.message] }
            #expect(texts.allSatisfy { $0.firstMatch(of: #/[A-Za-z_]\(|Identifier|Money\(/#) == nil }, "\(texts)")
        }
        #expect(Set(failures.map(\.problemType)).count == 8)
        // A decline names its code.
        for code in DeclineCode.allCases {
            #expect(PaymentsError.cardDeclined(Decline(code: code)).detail.contains(code.rawValue))
        }
        #expect(
            PaymentsError.unexpectedState("pi_1", .requiresCapture, operation: "authorize").detail
                == "Payment pi_1 is requires_capture, so it cannot be authorised again."
        )
    }
}
