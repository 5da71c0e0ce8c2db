import Commerce
import Foundation
import Payments
import PaymentsAPI
import ServiceKit
import Testing

/// The payment state machine as a value: every transition, legal and illegal, with the movements it returns.
@Suite struct IntentStateTests {
    let id: PaymentIntentID = "pi_1"
    let later = Date(timeIntervalSince1970: 1_800_000_000)

    func authorised(_ amount: Int64 = 5000) throws -> IntentState {
        var state = IntentState(id: id, amount: euros(amount))
        _ = try state.authorize(amount: euros(amount), .approved, captureBefore: later)
        return state
    }

    func captured(_ amount: Int64 = 5000) throws -> IntentState {
        var state = try authorised(amount)
        _ = try state.capture(nil)
        return state
    }

    @Test func anApprovedAuthorisationHoldsTheAmountUntilItsWindowEnds() throws {
        var state = IntentState(id: id, amount: euros(5000))
        #expect(state.status == .requiresPaymentMethod)
        #expect(try state.authorize(amount: euros(5000), .approved, captureBefore: later) == [.hold(5000)])
        #expect(state.status == .requiresCapture)
        #expect(state.capturable == 5000)
        #expect(state.captureBefore == later)
        #expect(state.isExpired(at: later.addingTimeInterval(-1)) == false)
        #expect(state.isExpired(at: later))
    }

    @Test func aDeclineHoldsNothingAndAnotherCardMayBeTriedForANewAmount() throws {
        var state = IntentState(id: id, amount: euros(5000))
        #expect(try state.authorize(amount: euros(5000), .declined(.insufficientFunds), captureBefore: later) == [])
        #expect(state.status == .requiresPaymentMethod)
        #expect(state.lastDecline == Decline(code: .insufficientFunds))
        #expect(state.capturable == 0)
        #expect(try state.authorize(amount: euros(4500), .approved, captureBefore: later) == [.hold(4500)])
        #expect(state.amount == 4500)
        #expect(state.lastDecline == nil)
    }

    @Test func anIntentIsAuthorisedOnce() throws {
        var authorised = try authorised()
        #expect(throws: PaymentsError.unexpectedState(id, .requiresCapture, operation: "authorize")) {
            try authorised.authorize(amount: euros(5000), .approved, captureBefore: later)
        }
        var captured = try captured()
        #expect(throws: PaymentsError.unexpectedState(id, .succeeded, operation: "authorize")) {
            try captured.authorize(amount: euros(5000), .approved, captureBefore: later)
        }
        var canceled = IntentState(id: id, amount: euros(5000))
        _ = try canceled.cancel(reason: .abandoned)
        #expect(throws: PaymentsError.unexpectedState(id, .canceled, operation: "authorize")) {
            try canceled.authorize(amount: euros(5000), .approved, captureBefore: later)
        }
    }

    @Test func aFullCaptureTakesTheWholeHold() throws {
        var state = try authorised()
        #expect(try state.capture(nil) == [.capture(5000)])
        #expect(state.status == .succeeded)
        #expect(state.figures.captured == 5000)
        #expect(state.capturable == 0)
        #expect(state.captureBefore == nil)
    }

    @Test func aPartialCaptureReleasesTheRest() throws {
        var state = try authorised()
        #expect(try state.capture(euros(3000)) == [.capture(3000), .release(2000)])
        #expect(state.captured == 3000)
        #expect(state.capturable == 0)
        #expect(state.refundable == 3000)
    }

    @Test func captureIsRefusedBeforeAuthorisationTwiceAfterCancelAndBeyondTheHold() throws {
        var waiting = IntentState(id: id, amount: euros(5000))
        #expect(throws: PaymentsError.unexpectedState(id, .requiresPaymentMethod, operation: "capture")) { try waiting.capture(nil) }
        var captured = try captured()
        #expect(throws: PaymentsError.unexpectedState(id, .succeeded, operation: "capture")) { try captured.capture(nil) }
        var canceled = try authorised()
        _ = try canceled.cancel(reason: .requestedByCustomer)
        #expect(throws: PaymentsError.unexpectedState(id, .canceled, operation: "capture")) { try canceled.capture(nil) }
        var state = try authorised()
        #expect(throws: PaymentsError.amountTooLarge(requested: euros(5001), available: euros(5000), operation: "capture")) {
            try state.capture(euros(5001))
        }
        #expect(throws: PaymentsError.invalid("amount must be positive", field: "amount")) { try state.capture(euros(0)) }
        #expect(throws: PaymentsError.invalid("amount must be in EUR, the payment's currency, not USD", field: "amount")) {
            try state.capture(Money(minorUnits: 100, currency: "USD"))
        }
        // Refused operations change nothing.
        let fresh = try authorised()
        #expect(state == fresh)
    }

    @Test func cancelReleasesAHoldAndASecondCancelChangesNothing() throws {
        var state = try authorised()
        #expect(try state.cancel(reason: .abandoned) == [.release(5000)])
        #expect(state.status == .canceled)
        #expect(state.cancellationReason == .abandoned)
        #expect(state.capturable == 0)
        let canceled = state
        #expect(try state.cancel(reason: .requestedByCustomer) == nil)
        #expect(state == canceled)
        var waiting = IntentState(id: id, amount: euros(5000))
        #expect(try waiting.cancel(reason: .requestedByCustomer) == [])
        #expect(waiting.status == .canceled)
    }

    @Test func aCapturedIntentCannotBeCanceled() throws {
        var state = try captured()
        #expect(throws: PaymentsError.unexpectedState(id, .succeeded, operation: "cancel")) { try state.cancel(reason: .requestedByCustomer) }
    }

    @Test func anAuthorisationExpiresOnlyOnceItsWindowHasPassed() throws {
        var state = try authorised()
        #expect(throws: PaymentsError.self) { try state.expire(at: later.addingTimeInterval(-1)) }
        #expect(try state.expire(at: later) == [.release(5000)])
        #expect(state.status == .canceled)
        #expect(state.cancellationReason == .expired)
        var captured = try captured()
        #expect(throws: PaymentsError.self) { try captured.expire(at: later) }
    }

    @Test func refundsNeverExceedWhatWasCaptured() throws {
        var state = try authorised()
        #expect(throws: PaymentsError.unexpectedState(id, .requiresCapture, operation: "refund")) { try state.refund(nil) }
        _ = try state.capture(euros(4000))
        #expect(try state.refund(euros(1500)) == .refund(1500))
        #expect(try state.refund(euros(2000)) == .refund(2000))
        #expect(throws: PaymentsError.amountTooLarge(requested: euros(501), available: euros(500), operation: "refund")) {
            try state.refund(euros(501))
        }
        #expect(try state.refund(nil) == .refund(500))
        #expect(state.refunded == 4000)
        #expect(throws: PaymentsError.invalid("nothing is left to refund", field: "amount")) { try state.refund(nil) }
        #expect(state.status == .succeeded)
    }

    @Test func aFailedRefundIsRefundableAgain() throws {
        var state = try captured()
        _ = try state.refund(euros(3000))
        #expect(try state.failRefund(3000) == .refundFailed(3000))
        #expect(state.refunded == 0)
        #expect(state.refundable == 5000)
        #expect(throws: PaymentsError.self) { try state.failRefund(1) }
        var canceled = try authorised()
        _ = try canceled.cancel(reason: .abandoned)
        #expect(throws: PaymentsError.unexpectedState(id, .canceled, operation: "refund")) { try canceled.refund(nil) }
    }

    @Test func theMovementsAddUpToTheFigures() throws {
        var state = IntentState(id: id, amount: euros(9000))
        var movements = try state.authorize(amount: euros(9000), .approved, captureBefore: later)
        movements += try state.capture(euros(7000))
        movements.append(try state.refund(euros(2000)))
        movements.append(try state.refund(euros(1000)))
        movements.append(try state.failRefund(1000))
        #expect(IntentState.Figures(movements: movements) == state.figures)
        #expect(state.figures.captured == 7000 && state.figures.refunded == 2000 && state.figures.capturable == 0)
        #expect(movements.map(\.kind) == ["hold", "capture", "release", "refund", "refund", "refund_failed"])
        #expect(movements.map { IntentState.Movement(kind: $0.kind, amount: $0.amount) } == movements)
    }
}
