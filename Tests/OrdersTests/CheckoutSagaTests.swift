import Commerce
import Foundation
import InventoryAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Testing

@testable import Orders

/// The checkout saga as a value: every transition and failure path, without I/O.
@Suite struct CheckoutSagaTests {
    static let payment = OrderPayment(
        intentId: "pi_1",
        brand: .visa,
        last4: "4242",
        amount: Money(minorUnits: 1000, currency: "EUR"),
        captured: Money(minorUnits: 0, currency: "EUR"),
        refunded: Money(minorUnits: 0, currency: "EUR"),
        status: .requiresCapture
    )

    static func declined(_ code: DeclineCode) -> OrderPayment {
        var payment = payment
        payment.status = .requiresPaymentMethod
        payment.declineCode = code
        return payment
    }

    static func steps(_ actions: [SagaAction]) -> [String] {
        actions.compactMap { if case .note(let step, let outcome, _) = $0 { "\(step):\(outcome)" } else { nil } }
    }

    static func call(_ actions: [SagaAction]) -> SagaCall? {
        actions.compactMap { if case .call(let call) = $0 { call } else { nil } }.last
    }

    @Test func theHappyPathConfirmsOnAuthorisationThenCapturesAndFulfils() {
        var saga = CheckoutSaga()
        #expect(saga.resume() == [.call(.reserve)])
        #expect(saga.handle(.reserved) == [.note(step: "stock-reserved", outcome: "ok", detail: nil), .call(.authorize)])
        #expect(
            saga.handle(.authorized(Self.payment)) == [
                .note(step: "payment-authorized", outcome: "ok", detail: nil), .setStatus(.confirmed),
                .note(step: "confirmed", outcome: "ok", detail: nil), .publish(.confirmed), .call(.clearCart),
            ]
        )
        #expect(saga.handle(.cartCleared) == [.note(step: "cart-cleared", outcome: "ok", detail: nil), .call(.capture)])
        #expect(saga.handle(.captured(Self.payment)) == [.note(step: "payment-captured", outcome: "ok", detail: nil), .call(.fulfil)])
        #expect(saga.handle(.fulfilled([])) == [.note(step: "fulfilment-requested", outcome: "ok", detail: nil)])
        #expect(saga.isFinished)
        #expect(saga.pendingCall == nil)
        #expect(saga.resume().isEmpty)
    }

    @Test func paymentsNotTakingCallsFailsTheCheckoutAtOnceReleasingTheStock() throws {
        var saga = CheckoutSaga()
        _ = saga.handle(.reserved)
        let actions = saga.handle(
            .notAttempted("Payments is not taking calls right now (its calls are paused after failures), so the card was not tried.")
        )
        #expect(Self.steps(actions) == ["payment-unavailable:failed"])
        #expect(Self.call(actions) == .release, "no retry, no void: the card was never tried")
        #expect(saga.handle(.released).suffix(2) == [.setStatus(.paymentFailed), .publish(.paymentFailed)])
        #expect(saga.isFinished)

        // An earlier try got no answer: it may have authorised the card, so a refusal after it proves nothing, and
        // whatever Payments holds is voided before the stock goes back.
        var unsure = CheckoutSaga()
        _ = unsure.handle(.reserved)
        #expect(Self.call(unsure.handle(.unanswered("The call timed out."))) == .authorize)
        let voiding = unsure.handle(
            .notAttempted("Payments is not taking calls right now (its calls are paused after failures), so the card was not tried.")
        )
        #expect(Self.steps(voiding) == ["payment-authorized:failed"])
        #expect(Self.call(voiding) == .void)
        #expect(Self.call(unsure.handle(.voided(nil))) == .release)
        #expect(unsure.handle(.released).suffix(2) == [.setStatus(.cancelled), .publish(.cancelled)])

        // So may one in flight when the process stopped.
        var restarted = CheckoutSaga()
        _ = restarted.handle(.reserved)
        let decoded = try JSONDecoder().decode(CheckoutSaga.self, from: JSONEncoder().encode(restarted))
        restarted = decoded
        #expect(restarted.resume() == [.call(.authorize)])
        #expect(Self.call(restarted.handle(.notAttempted("Payments is not taking calls."))) == .void)

        // Inventory not taking calls rejects before anything is held.
        var early = CheckoutSaga()
        let rejected = early.handle(.notAttempted("Inventory is not taking calls right now (it is at capacity), so the call was not made."))
        #expect(rejected.suffix(2) == [.setStatus(.rejected), .publish(.rejected)])
        #expect(Self.steps(rejected) == ["stock-unavailable:failed"])
        #expect(early.isFinished)

        // After the confirmation a call not made is retried like one not answered: the order is never undone for it.
        var confirmed = CheckoutSaga()
        _ = confirmed.handle(.reserved)
        _ = confirmed.handle(.authorized(Self.payment))
        _ = confirmed.handle(.cartCleared)
        #expect(Self.call(confirmed.handle(.notAttempted("Payments is not taking calls."))) == .capture)
        #expect(confirmed.phase == .capturing)
    }

    @Test func shortStockRejectsAtOnceWithNothingToRelease() {
        var saga = CheckoutSaga()
        let actions = saga.handle(.short([InventoryError.ShortLine(productId: "p-1", requested: 3, available: 1)]))
        #expect(Self.steps(actions) == ["stock-short:failed"])
        #expect(actions.suffix(2) == [.setStatus(.rejected), .publish(.rejected)])
        #expect(Self.call(actions) == nil)
        #expect(saga.isFinished)
    }

    @Test func aDeclineReleasesTheStockAndEndsPaymentFailed() {
        var saga = CheckoutSaga()
        _ = saga.handle(.reserved)
        let declined = saga.handle(.declined(Self.declined(.insufficientFunds)))
        #expect(Self.steps(declined) == ["payment-declined:failed"])
        #expect(Self.call(declined) == .release)
        #expect(!declined.contains(.setStatus(.confirmed)))
        let released = saga.handle(.released)
        #expect(released == [.note(step: "stock-released", outcome: "ok", detail: nil), .setStatus(.paymentFailed), .publish(.paymentFailed)])
        #expect(saga.isFinished)
    }

    @Test func aProcessingErrorIsTriedAgainWithANewKeyThenCountsAsADecline() {
        var saga = CheckoutSaga()
        _ = saga.handle(.reserved)
        #expect(saga.authorizationRound == 1)
        for round in 2...3 {
            let again = saga.handle(.declined(Self.declined(.processingError)))
            #expect(Self.steps(again) == ["retry:retrying"])
            #expect(Self.call(again) == .authorize)
            #expect(saga.authorizationRound == round)
        }
        let given = saga.handle(.declined(Self.declined(.processingError)))
        #expect(Self.steps(given) == ["payment-declined:failed"])
        #expect(Self.call(given) == .release)
    }

    @Test func aCallWithoutAnswerIsRetriedThenCompensated() {
        var saga = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 3))
        for _ in 1..<3 {
            let retry = saga.handle(.unanswered("timeout"))
            #expect(Self.steps(retry) == ["retry:retrying"])
            #expect(retry.contains(.call(.reserve)))
            #expect(retry.contains { if case .wait = $0 { true } else { false } })
        }
        // The reservation may have taken effect: released, then cancelled.
        let given = saga.handle(.unanswered("timeout"))
        #expect(Self.steps(given) == ["stock-reserved:failed"])
        #expect(Self.call(given) == .release)
        #expect(saga.handle(.released).suffix(2) == [.setStatus(.cancelled), .publish(.cancelled)])

        // A retry that succeeds carries on as if nothing happened.
        var lucky = CheckoutSaga()
        _ = lucky.handle(.unanswered("timeout"))
        #expect(lucky.handle(.reserved).last == .call(.authorize))
    }

    @Test func aSagaStoredWhileExtendingTheHoldExtendsItThenAuthorises() throws {
        // Sagas stored when reserving and extending the hold were two steps resume where they were.
        let stored = String(decoding: try JSONEncoder().encode(CheckoutSaga()), as: UTF8.self)
        #expect(stored.contains(#""phase":"reserving""#))
        var saga = try JSONDecoder().decode(
            CheckoutSaga.self,
            from: Data(stored.replacingOccurrences(of: #""phase":"reserving""#, with: #""phase":"extending""#).utf8)
        )
        #expect(saga.resume() == [.call(.extend)])
        #expect(saga.handle(.extended) == [.call(.authorize)])
        #expect(saga.phase == .authorizing)
    }

    @Test func anAuthorisationWithoutAnswerIsVoidedWhateverPaymentsHolds() {
        var saga = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 1))
        _ = saga.handle(.reserved)
        let given = saga.handle(.unanswered("timeout"))
        #expect(Self.call(given) == .void)
        #expect(Self.call(saga.handle(.voided(nil))) == .release)
        #expect(saga.handle(.released).suffix(2) == [.setStatus(.cancelled), .publish(.cancelled)])
    }

    @Test func aRefusedCaptureVoidsAndReleasesIntoCancelled() {
        var saga = confirmed()
        _ = saga.handle(.cartCleared)
        let refused = saga.handle(.refused("The authorisation expired."))
        #expect(Self.steps(refused) == ["payment-captured:failed"])
        #expect(Self.call(refused) == .void)
        // A void that finds the payment captured refunds it instead.
        let refunded = saga.handle(.refunded(Self.payment))
        #expect(Self.steps(refunded) == ["payment-refunded:ok"])
        #expect(Self.call(refunded) == .release)
        #expect(Self.steps(saga.handle(.released)) == ["stock-released:ok"])
        #expect(saga.isFinished)
    }

    @Test func aRefusedFulfilmentRefundsAndReleases() {
        var saga = confirmed()
        _ = saga.handle(.cartCleared)
        _ = saga.handle(.captured(Self.payment))
        let refused = saga.handle(.refused("It holds no stock."))
        #expect(Self.call(refused) == .refund)
        #expect(Self.call(saga.handle(.refunded(Self.payment))) == .release)
        #expect(saga.handle(.released).suffix(2) == [.setStatus(.cancelled), .publish(.cancelled)])
    }

    @Test func theCartFailingDoesNotUndoTheOrder() {
        var saga = confirmed()
        let refused = saga.handle(.refused("The cart changed."))
        #expect(Self.steps(refused) == ["cart-cleared:failed"])
        #expect(Self.call(refused) == .capture)
        var silent = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 1))
        _ = silent.handle(.reserved)
        _ = silent.handle(.authorized(Self.payment))
        #expect(Self.call(silent.handle(.unanswered("timeout"))) == .capture)
    }

    @Test func afterTheConfirmationAMissingAnswerNeverUndoesTheOrder() {
        var saga = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 2))
        _ = saga.handle(.reserved)
        _ = saga.handle(.authorized(Self.payment))
        _ = saga.handle(.cartCleared)
        #expect(Self.call(saga.handle(.unanswered("in progress"))) == .capture)
        let suspended = saga.handle(.unanswered("in progress"))
        #expect(suspended.last == .suspend)
        #expect(!suspended.contains(.call(.void)))
        #expect(saga.resume() == [.call(.capture)])
        _ = saga.handle(.captured(Self.payment))
        _ = saga.handle(.unanswered("timeout"))
        #expect(saga.handle(.unanswered("timeout")).last == .suspend)
        #expect(saga.resume() == [.call(.fulfil)])
        #expect(!saga.handle(.fulfilled([])).contains(.setStatus(.cancelled)))
        #expect(saga.isFinished)
    }

    @Test func compensationsAreNeverGivenUpButSuspendForTheRecoveryLoop() {
        var saga = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 2))
        _ = saga.handle(.short([]))
        var releasing = CheckoutSaga(policy: CheckoutSaga.Policy(attempts: 2))
        _ = releasing.handle(.reserved)
        _ = releasing.handle(.declined(Self.declined(.cardDeclined)))
        #expect(releasing.handle(.unanswered("timeout")).contains(.call(.release)))
        let suspended = releasing.handle(.refused("down"))
        #expect(suspended.last == .suspend)
        #expect(!releasing.isFinished)
        #expect(releasing.resume() == [.call(.release)])
        #expect(releasing.handle(.released).suffix(2) == [.setStatus(.paymentFailed), .publish(.paymentFailed)])
    }

    @Test func aCustomerCancelRefundsWhenCapturedElseVoids() {
        var running = confirmed()
        #expect(running.cancel(captured: false) == nil, "a saga still deciding is not cancelled")
        var captured = finished()
        let refund = captured.cancel(captured: true)
        #expect(refund == [.note(step: "cancel-requested", outcome: "ok", detail: nil), .call(.refund)])
        #expect(captured.isCompensating)
        #expect(captured.cancel(captured: true) == nil, "twice is once")
        #expect(Self.call(captured.handle(.refunded(Self.payment))) == .release)
        #expect(captured.handle(.released).suffix(2) == [.setStatus(.cancelled), .publish(.cancelled)])
        var authorised = finished()
        #expect(authorised.cancel(captured: false)?.last == .call(.void))
    }

    @Test func aStaleOutcomeAsksAgainForWhatThePhaseNeeds() {
        var saga = CheckoutSaga()
        #expect(saga.handle(.cartCleared) == [.call(.reserve)])
    }

    @Test func theBackoffDoublesUpToItsMaximum() {
        let policy = CheckoutSaga.Policy(backoff: .milliseconds(100), maximumBackoff: .milliseconds(350))
        #expect([1, 2, 3, 4].map(policy.backoff(after:)) == [.milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350)])
    }

    @Test func theSagaSurvivesEncoding() throws {
        var saga = confirmed()
        _ = saga.handle(.cartCleared)
        let data = try SQLiteOrdersService.encode(saga)
        #expect(try SQLiteOrdersService.decode(CheckoutSaga.self, data) == saga)
    }

    private func confirmed() -> CheckoutSaga {
        var saga = CheckoutSaga()
        _ = saga.handle(.reserved)
        _ = saga.handle(.authorized(Self.payment))
        return saga
    }

    private func finished() -> CheckoutSaga {
        var saga = confirmed()
        _ = saga.handle(.cartCleared)
        _ = saga.handle(.captured(Self.payment))
        _ = saga.handle(.fulfilled([]))
        return saga
    }
}
