package import Commerce
package import Foundation
package import PaymentsAPI
import ServiceKit

/// A payment intent's status and figures as a state machine: each operation checks that the intent may undergo
/// it, changes the figures and returns the money movements the ledger records for it, or throws the
/// ``PaymentsAPI/PaymentsError`` a caller is answered with and changes nothing.
///
/// `requires_payment_method → requires_capture → succeeded`, or `canceled` from either of the first two; refunds
/// only from `succeeded`. The figures always satisfy `captured + capturable ≤ amount` and `refunded ≤ captured`,
/// and the ledger's movements add up to them (``Figures/init(movements:)``). Amounts are minor units of the
/// intent's one currency.
package struct IntentState: Sendable, Hashable {
    /// A movement of money, as the ledger records it: always a positive amount, its kind saying which way.
    package enum Movement: Sendable, Hashable {
        /// Funds held on the card: capturable grows.
        case hold(Int64)
        /// Held funds taken: capturable shrinks, captured grows.
        case capture(Int64)
        /// Held funds given back to the card: capturable shrinks.
        case release(Int64)
        /// Captured money sent back: refunded grows.
        case refund(Int64)
        /// A refund the network refused, reversed: refunded shrinks.
        case refundFailed(Int64)

        /// The ledger's name for it.
        package var kind: String {
            switch self {
            case .hold: "hold"
            case .capture: "capture"
            case .release: "release"
            case .refund: "refund"
            case .refundFailed: "refund_failed"
            }
        }

        /// How much moved.
        package var amount: Int64 {
            switch self {
            case .hold(let amount), .capture(let amount), .release(let amount), .refund(let amount), .refundFailed(let amount): amount
            }
        }

        /// The movement of a ledger row, `nil` for a kind this build does not know.
        package init?(kind: String, amount: Int64) {
            switch kind {
            case "hold": self = .hold(amount)
            case "capture": self = .capture(amount)
            case "release": self = .release(amount)
            case "refund": self = .refund(amount)
            case "refund_failed": self = .refundFailed(amount)
            default: return nil
            }
        }
    }

    /// What an intent's movements add up to.
    package struct Figures: Sendable, Hashable {
        /// Held and not yet captured or released.
        package var capturable: Int64 = 0
        /// Captured.
        package var captured: Int64 = 0
        /// Refunded, pending or succeeded.
        package var refunded: Int64 = 0

        /// Nothing moved.
        package init() {}

        /// The sums of `movements`.
        package init(movements: some Sequence<Movement>) {
            for movement in movements {
                switch movement {
                case .hold(let amount): capturable += amount
                case .capture(let amount):
                    capturable -= amount
                    captured += amount
                case .release(let amount): capturable -= amount
                case .refund(let amount): refunded += amount
                case .refundFailed(let amount): refunded -= amount
                }
            }
        }
    }

    /// What the card network answered an authorisation.
    package enum Authorization: Sendable, Hashable {
        /// The funds are held.
        case approved
        /// The issuer refused.
        case declined(DeclineCode)
    }

    /// The intent.
    package let id: PaymentIntentID
    /// Where it stands.
    package private(set) var status: PaymentIntentStatus
    /// The currency of every figure.
    package private(set) var currency: String
    /// The amount asked for.
    package private(set) var amount: Int64
    /// What is held and not yet captured.
    package private(set) var capturable: Int64
    /// What was captured.
    package private(set) var captured: Int64
    /// What was refunded (pending or succeeded).
    package private(set) var refunded: Int64
    /// When an uncaptured authorisation expires.
    package private(set) var captureBefore: Date?
    /// Why it was canceled.
    package private(set) var cancellationReason: CancellationReason?
    /// The last authorisation's decline, while waiting for another card.
    package private(set) var lastDecline: Decline?

    /// A new intent for `amount`, waiting for a card.
    package init(id: PaymentIntentID, amount: Money) {
        self.id = id
        status = .requiresPaymentMethod
        currency = amount.currency
        self.amount = amount.minorUnits
        capturable = 0
        captured = 0
        refunded = 0
    }

    /// The state of a stored intent.
    package init(_ intent: PaymentIntent) {
        id = intent.id
        status = intent.status
        currency = intent.amount.currency
        amount = intent.amount.minorUnits
        capturable = intent.amountCapturable.minorUnits
        captured = intent.amountCaptured.minorUnits
        refunded = intent.amountRefunded.minorUnits
        captureBefore = intent.captureBefore
        cancellationReason = intent.cancellationReason
        lastDecline = intent.lastDecline
    }

    /// The figures.
    package var figures: Figures {
        var figures = Figures()
        figures.capturable = capturable
        figures.captured = captured
        figures.refunded = refunded
        return figures
    }

    /// What may still be refunded.
    package var refundable: Int64 { captured - refunded }

    /// Whether an authorisation's capture window has run out at `now`.
    package func isExpired(at now: Date) -> Bool {
        guard status == .requiresCapture, let captureBefore else { return false }
        return now >= captureBefore
    }

    // MARK: - Transitions

    /// Tries a card for `amount`: approved, the amount is held until `captureBefore`; declined, the intent keeps
    /// waiting for a card, with the decline. The amount (and currency) may change while nothing is held.
    /// - Throws: ``PaymentsAPI/PaymentsError/unexpectedState(_:_:operation:)`` unless the intent waits for a card.
    package mutating func authorize(amount: Money, _ answer: Authorization, captureBefore: Date) throws(PaymentsError) -> [Movement] {
        guard status == .requiresPaymentMethod else { throw .unexpectedState(id, status, operation: "authorize") }
        guard amount.minorUnits > 0 else { throw .invalid("amount must be positive", field: "amount") }
        currency = amount.currency
        self.amount = amount.minorUnits
        switch answer {
        case .declined(let code):
            lastDecline = Decline(code: code)
            return []
        case .approved:
            lastDecline = nil
            status = .requiresCapture
            capturable = amount.minorUnits
            self.captureBefore = captureBefore
            return [.hold(amount.minorUnits)]
        }
    }

    /// Captures `amount` of the hold (all of it when `nil`) and releases the rest.
    /// - Throws: ``PaymentsAPI/PaymentsError/unexpectedState(_:_:operation:)`` unless authorised,
    ///   ``PaymentsAPI/PaymentsError/amountTooLarge(requested:available:operation:)`` beyond the hold,
    ///   ``PaymentsAPI/PaymentsError/invalid(_:field:)`` for a zero, negative or foreign amount.
    package mutating func capture(_ amount: Money?) throws(PaymentsError) -> [Movement] {
        guard status == .requiresCapture else { throw .unexpectedState(id, status, operation: "capture") }
        let taken = try checked(amount, available: capturable, operation: "capture")
        let rest = capturable - taken
        status = .succeeded
        captured = taken
        capturable = 0
        captureBefore = nil
        return rest > 0 ? [.capture(taken), .release(rest)] : [.capture(taken)]
    }

    /// Voids the intent before capture, releasing any hold.
    /// - Returns: The movements, or `nil` when the intent was already canceled (it stays as it is).
    /// - Throws: ``PaymentsAPI/PaymentsError/unexpectedState(_:_:operation:)`` once captured.
    package mutating func cancel(reason: CancellationReason) throws(PaymentsError) -> [Movement]? {
        switch status {
        case .canceled:
            return nil
        case .succeeded:
            throw .unexpectedState(id, status, operation: "cancel")
        case .requiresPaymentMethod, .requiresCapture:
            let held = capturable
            status = .canceled
            cancellationReason = reason
            capturable = 0
            captureBefore = nil
            return held > 0 ? [.release(held)] : []
        }
    }

    /// Cancels an authorisation whose capture window ran out at `now`, releasing the hold.
    /// - Throws: ``PaymentsAPI/PaymentsError/invalid(_:field:)`` unless authorised and past its window (the
    ///   sweeper asks only for those; the error never reaches a client).
    package mutating func expire(at now: Date) throws(PaymentsError) -> [Movement] {
        guard isExpired(at: now) else { throw .invalid("payment \(id.rawValue) is not an authorisation past its capture window") }
        return try cancel(reason: .expired) ?? []
    }

    /// Refunds `amount` of what was captured and not yet refunded (all of it when `nil`).
    /// - Throws: ``PaymentsAPI/PaymentsError/unexpectedState(_:_:operation:)`` unless captured,
    ///   ``PaymentsAPI/PaymentsError/amountTooLarge(requested:available:operation:)`` beyond what is left,
    ///   ``PaymentsAPI/PaymentsError/invalid(_:field:)`` for a zero, negative or foreign amount, or when nothing
    ///   is left.
    package mutating func refund(_ amount: Money?) throws(PaymentsError) -> Movement {
        guard status == .succeeded else { throw .unexpectedState(id, status, operation: "refund") }
        guard amount != nil || refundable > 0 else { throw .invalid("nothing is left to refund", field: "amount") }
        let given = try checked(amount, available: refundable, operation: "refund")
        refunded += given
        return .refund(given)
    }

    /// Reverses a refund of `amount` the network refused: the amount is refundable again.
    /// - Throws: ``PaymentsAPI/PaymentsError/invalid(_:field:)`` unless captured with at least `amount` refunded
    ///   (the sweeper reverses only refunds it recorded; the error never reaches a client).
    package mutating func failRefund(_ amount: Int64) throws(PaymentsError) -> Movement {
        guard status == .succeeded, amount > 0, amount <= refunded else {
            let money = Money(minorUnits: amount, currency: currency)
            throw .invalid("payment \(id.rawValue) has no refund of \(money) to reverse")
        }
        refunded -= amount
        return .refundFailed(amount)
    }

    /// The minor units of `amount` (or all of `available` when `nil`), checked against the intent's currency and
    /// what is available.
    private func checked(_ amount: Money?, available: Int64, operation: String) throws(PaymentsError) -> Int64 {
        guard let amount else { return available }
        guard amount.currency == currency else {
            throw .invalid("amount must be in \(currency), the payment's currency, not \(amount.currency)", field: "amount")
        }
        guard amount.minorUnits > 0 else { throw .invalid("amount must be positive", field: "amount") }
        guard amount.minorUnits <= available else {
            throw .amountTooLarge(requested: amount, available: Money(minorUnits: available, currency: currency), operation: operation)
        }
        return amount.minorUnits
    }
}
