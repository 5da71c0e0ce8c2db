public import Commerce
public import ServiceKit

/// What Payments answers when it cannot do what was asked.
public enum PaymentsError: ServiceFailure {
    /// The card was refused where a refusal is a failure (subscribing; an authorisation's decline is a reply).
    case cardDeclined(Decline)
    /// The card's details are wrong before any issuer sees them: number (Luhn), expiry, or verification code.
    /// `field` names the member at fault (`card.number`, `card.expMonth`, `card.expYear`, `card.cvc`) and the
    /// reason is worded to follow it (`fails the Luhn check`).
    case invalidCard(String, field: String)
    /// No payment intent has this id.
    case paymentNotFound(PaymentIntentID)
    /// The intent's status does not allow the operation (`capture`, `cancel`, `refund` or `authorize`).
    case unexpectedState(PaymentIntentID, PaymentIntentStatus, operation: String)
    /// An amount is more than what is left to capture or refund.
    case amountTooLarge(requested: Money, available: Money, operation: String)
    /// The customer has no subscription.
    case subscriptionNotFound(CustomerID)
    /// The customer's subscription is already running.
    case alreadySubscribed(CustomerID, SubscriptionStatus)
    /// The request is not acceptable; the text says why and `field` names the member at fault.
    case invalid(String, field: String? = nil)

    /// `card-declined`, `invalid-card`, `payment-not-found`, `payment-state-conflict`, `amount-too-large`,
    /// `subscription-not-found`, `already-subscribed` or `validation-failed`.
    public var problemType: String {
        switch self {
        case .cardDeclined: "card-declined"
        case .invalidCard: "invalid-card"
        case .paymentNotFound: "payment-not-found"
        case .unexpectedState: "payment-state-conflict"
        case .amountTooLarge: "amount-too-large"
        case .subscriptionNotFound: "subscription-not-found"
        case .alreadySubscribed: "already-subscribed"
        case .invalid: "validation-failed"
        }
    }

    /// A sentence; a decline names its code.
    public var detail: String {
        switch self {
        case .cardDeclined(let decline): "\(decline.message) The decline code is \(decline.code.rawValue)."
        case .invalidCard(let reason, let field): "The card is not valid: \(field) \(reason)."
        case .paymentNotFound(let id): "No payment has the id \(id.rawValue)."
        case .unexpectedState(let id, let status, let operation):
            "Payment \(id.rawValue) is \(status.rawValue), so it cannot \(operation == "authorize" ? "be authorised again" : "be \(Self.participle(operation))")."
        case .amountTooLarge(let requested, let available, let operation):
            "\(operation == "refund" ? "A refund" : "A capture") of \(requested) is more than the \(available) left to \(operation)."
        case .subscriptionNotFound: "You have no membership subscription."
        case .alreadySubscribed(_, let status): "You already have a membership subscription (\(status.rawValue))."
        case .invalid(let reason, _): "The request is not valid: \(reason)."
        }
    }

    /// The member at fault, and for a decline its code under `card`.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalidCard(let reason, let field): [FieldError(field: field, message: reason)]
        case .cardDeclined(let decline): [FieldError(field: "card", message: "was declined (\(decline.code.rawValue))")]
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        default: []
        }
    }

    private static func participle(_ operation: String) -> String {
        switch operation {
        case "capture": "captured"
        case "cancel": "canceled"
        case "refund": "refunded"
        default: operation
        }
    }
}
