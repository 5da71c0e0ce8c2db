package import PaymentsAPI

/// How the simulated card network treats a card: what a real processor's vaulted payment method stands for.
///
/// Payments never keeps a card number, so a renewal cannot look at the number to decide what the issuer says.
/// Instead, the first time the network sees a card it derives the card's behaviour from the number (Stripe's
/// test numbers, below) and keeps it in its vault under the card's fingerprint, as a processor keeps a token for
/// a card it may charge again. Renewals and refunds ask the vault; a test changes a card's behaviour with
/// ``SQLitePaymentsService/simulateCardBehaviour(fingerprint:_:)``, as an issuer's answer changes when an account
/// runs dry.
///
/// | number | behaviour |
/// |---|---|
/// | 4242424242424242 | succeeds |
/// | 4000000000000002 | declines, `card_declined` |
/// | 4000000000009995 | declines, `insufficient_funds` |
/// | 4000000000009987 | declines, `lost_card` |
/// | 4000000000009979 | declines, `stolen_card` |
/// | 4000000000000069 | declines, `expired_card` |
/// | 4000000000000127 | declines, `incorrect_cvc` |
/// | 4000000000000119 | declines, `processing_error` (retryable) |
/// | 4000000000005126 | succeeds, but its refunds fail after a while |
/// | any other valid number | succeeds |
package enum CardBehaviour: Sendable, Hashable {
    /// Charges and refunds succeed.
    case succeeds
    /// The issuer refuses every charge with this code.
    case declines(DeclineCode)
    /// Charges succeed; refunds stay pending and then fail.
    case refundsFail

    /// The behaviour of a card number (digits only) as the simulated network first sees it.
    package init(number digits: String) {
        self =
            switch digits {
            case "4000000000000002": .declines(.cardDeclined)
            case "4000000000009995": .declines(.insufficientFunds)
            case "4000000000009987": .declines(.lostCard)
            case "4000000000009979": .declines(.stolenCard)
            case "4000000000000069": .declines(.expiredCard)
            case "4000000000000127": .declines(.incorrectCVC)
            case "4000000000000119": .declines(.processingError)
            case "4000000000005126": .refundsFail
            default: .succeeds
            }
    }

    /// The vault's text for it: `succeeds`, `refunds_fail`, or `declines:<code>`.
    var storage: String {
        switch self {
        case .succeeds: "succeeds"
        case .refundsFail: "refunds_fail"
        case .declines(let code): "declines:\(code.rawValue)"
        }
    }

    /// The behaviour stored as `text`, `nil` for text this build does not know.
    init?(storage text: String) {
        switch text {
        case "succeeds": self = .succeeds
        case "refunds_fail": self = .refundsFail
        default:
            guard text.hasPrefix("declines:"), let code = DeclineCode(rawValue: String(text.dropFirst("declines:".count))) else { return nil }
            self = .declines(code)
        }
    }

    /// What the issuer answers a charge.
    var authorization: IntentState.Authorization {
        if case .declines(let code) = self { return .declined(code) }
        return .approved
    }
}
