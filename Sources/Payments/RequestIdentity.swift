import Commerce
import PaymentsAPI
import ServiceKit

// An idempotency key is stored with the SHA-256 of its request, so that the same key with another request is
// refused. A request carrying a card would make that an unkeyed hash over the card number, which, with a number's
// few unknown digits, could be searched. The requests with a card are therefore identified by these values
// instead: every member as sent, except the number and verification code, which are replaced by keyed hashes
// (HMAC-SHA-256 under the system's secret). Two requests are the same exactly when the originals were.

/// A card in a request identity: keyed hashes in place of the number and verification code.
struct CardIdentity: Codable, Sendable, Hashable {
    var number: String
    var expMonth: Int
    var expYear: Int
    var cvc: String

    init(_ card: CardDetails, cards: CardCheck) {
        number = cards.blind(card.number, as: "number")
        expMonth = card.expMonth
        expYear = card.expYear
        cvc = cards.blind(card.cvc, as: "cvc")
    }
}

/// What identifies an ``PaymentsAPI/AuthorizationRequest`` for its idempotency key.
struct AuthorizationIdentity: Codable, Sendable, Hashable {
    var orderId: OrderID
    var customerId: CustomerID?
    var amount: Money
    var card: CardIdentity

    init(_ request: AuthorizationRequest, cards: CardCheck) {
        orderId = request.orderId
        customerId = request.customerId
        amount = request.amount
        card = CardIdentity(request.card, cards: cards)
    }

    /// The endpoint whose name the identity is hashed with: `payments.authorize`'s.
    static let endpoint = Endpoint<IdempotentRequest<Self>, IdempotentReply<PaymentIntent>>(
        PaymentsEndpoints.authorize.name,
        idempotent: true,
        failure: PaymentsError.self
    )
}

/// What identifies a ``PaymentsAPI/SubscriptionRequest`` for its idempotency key.
struct SubscriptionIdentity: Codable, Sendable, Hashable {
    var customerId: CustomerID
    var plan: Plan
    var card: CardIdentity

    init(_ request: SubscriptionRequest, cards: CardCheck) {
        customerId = request.customerId
        plan = request.plan
        card = CardIdentity(request.card, cards: cards)
    }

    /// The endpoint whose name the identity is hashed with: `payments.subscribe`'s.
    static let endpoint = Endpoint<IdempotentRequest<Self>, IdempotentReply<Subscription>>(
        PaymentsEndpoints.subscribe.name,
        idempotent: true,
        failure: PaymentsError.self
    )
}
