/// A card as the customer typed it: sent to Payments to authorise, never stored or logged.
///
/// Its `description` (and so string interpolation and logging) shows only the brand and last four digits.
public struct CardDetails: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The card number, digits only (spaces and dashes are ignored when checked).
    public var number: String
    /// The expiry month, 1 to 12.
    public var expMonth: Int
    /// The expiry year, four digits.
    public var expYear: Int
    /// The card verification code: 3 digits, 4 for American Express.
    public var cvc: String

    /// Creates the value.
    public init(number: String, expMonth: Int, expYear: Int, cvc: String) {
        self.number = number
        self.expMonth = expMonth
        self.expYear = expYear
        self.cvc = cvc
    }

    /// The digits of ``number``, without spaces or dashes.
    public var digits: String { number.filter { $0 != " " && $0 != "-" } }

    /// The brand and last four digits only.
    public var description: String { "\(CardBrand(number: digits).rawValue) ending \(String(digits.suffix(4)))" }
    /// The same as ``description``: the number never reaches a log.
    public var debugDescription: String { description }
}

/// A card's brand, from its number's leading digits.
public enum CardBrand: String, Codable, Sendable, Hashable, CaseIterable {
    /// Visa: 4.
    case visa
    /// Mastercard: 51–55, 2221–2720.
    case mastercard
    /// American Express: 34, 37.
    case amex
    /// Discover: 6011, 644–649, 65.
    case discover
    /// Diners Club: 300–305, 36, 38.
    case diners
    /// JCB: 3528–3589.
    case jcb
    /// UnionPay: 62.
    case unionpay
    /// Anything else.
    case unknown

    /// The brand of a card number (digits only).
    public init(number: String) {
        func prefix(_ count: Int) -> Int { Int(number.prefix(count)) ?? -1 }
        self =
            switch true {
            case number.hasPrefix("4"): .visa
            case (51...55).contains(prefix(2)), (2221...2720).contains(prefix(4)): .mastercard
            case prefix(2) == 34, prefix(2) == 37: .amex
            case prefix(4) == 6011, (644...649).contains(prefix(3)), prefix(2) == 65: .discover
            case (300...305).contains(prefix(3)), prefix(2) == 36, prefix(2) == 38: .diners
            case (3528...3589).contains(prefix(4)): .jcb
            case prefix(2) == 62: .unionpay
            default: .unknown
            }
    }

    /// How many digits its verification code has.
    public var cvcLength: Int { self == .amex ? 4 : 3 }
}

/// What Payments keeps of a card: never the number or the verification code.
public struct CardSummary: Codable, Sendable, Hashable {
    /// The brand.
    public var brand: CardBrand
    /// The last four digits.
    public var last4: String
    /// The expiry month.
    public var expMonth: Int
    /// The expiry year.
    public var expYear: Int
    /// A keyed hash of the number (HMAC-SHA-256 with the system's secret, hex): the same card gives the same
    /// fingerprint, and the number cannot be recovered from it.
    public var fingerprint: String

    /// Creates the value.
    public init(brand: CardBrand, last4: String, expMonth: Int, expYear: Int, fingerprint: String) {
        self.brand = brand
        self.last4 = last4
        self.expMonth = expMonth
        self.expYear = expYear
        self.fingerprint = fingerprint
    }
}

/// Why the card issuer refused: Stripe's decline codes.
public enum DeclineCode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Declined for an unspecified reason (`4000000000000002`).
    case cardDeclined = "card_declined"
    /// Not enough funds (`4000000000009995`).
    case insufficientFunds = "insufficient_funds"
    /// Reported lost (`4000000000009987`).
    case lostCard = "lost_card"
    /// Reported stolen (`4000000000009979`).
    case stolenCard = "stolen_card"
    /// Expired, by the issuer's account (`4000000000000069`).
    case expiredCard = "expired_card"
    /// The verification code is wrong (`4000000000000127`).
    case incorrectCVC = "incorrect_cvc"
    /// The processor failed (`4000000000000119`): the same card may succeed when tried again.
    case processingError = "processing_error"

    /// Whether trying the same card again may succeed.
    public var isRetryable: Bool { self == .processingError }

    /// A sentence for the customer.
    public var message: String {
        switch self {
        case .cardDeclined: "Your card was declined."
        case .insufficientFunds: "Your card has insufficient funds."
        case .lostCard, .stolenCard: "Your card was declined."
        case .expiredCard: "Your card has expired."
        case .incorrectCVC: "Your card's security code is incorrect."
        case .processingError: "An error occurred while processing your card. Try again in a little bit."
        }
    }
}

/// A refused authorisation or charge: the code and a sentence.
public struct Decline: Codable, Sendable, Hashable {
    /// Stripe's decline code.
    public var code: DeclineCode
    /// A sentence for the customer.
    public var message: String

    /// The decline of `code`, with its message.
    public init(code: DeclineCode) {
        self.code = code
        self.message = code.message
    }
}
