public import Commerce
public import Foundation

/// Where a payment intent stands, with Stripe's names.
///
/// `requires_payment_method → requires_capture → succeeded`, or `canceled` from either of the first two. A declined
/// authorisation leaves the intent in `requires_payment_method` with ``PaymentIntent/lastDecline`` set, so another
/// card can be tried.
public enum PaymentIntentStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Created, or declined: waiting for a card that authorises.
    case requiresPaymentMethod = "requires_payment_method"
    /// Authorised: the funds are held until captured or released.
    case requiresCapture = "requires_capture"
    /// Captured (in full or in part; an uncaptured rest was released). Refunds are possible.
    case succeeded
    /// Voided before capture, by request or because the capture window ran out.
    case canceled
}

/// Why an intent was canceled.
public enum CancellationReason: String, Codable, Sendable, Hashable, CaseIterable {
    /// The merchant voided it (the order was cancelled or compensated).
    case requestedByCustomer = "requested_by_customer"
    /// The order was abandoned before it was paid.
    case abandoned
    /// The authorisation was not captured within the capture window.
    case expired
}

/// Where a refund stands.
public enum RefundStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Sent to the card network; the money counts as refunded unless it fails.
    case pending
    /// The money is back on the card.
    case succeeded
    /// The network refused it; the amount is refundable again.
    case failed
}

/// Money given back from a captured intent.
public struct Refund: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: RefundID
    /// How much.
    public var amount: Money
    /// Where it stands.
    public var status: RefundStatus
    /// Why it failed, a sentence, when it did.
    public var failureReason: String?
    /// When it was asked for.
    public var createdAt: Date

    /// Creates the value.
    public init(id: RefundID, amount: Money, status: RefundStatus, failureReason: String? = nil, createdAt: Date) {
        self.id = id
        self.amount = amount
        self.status = status
        self.failureReason = failureReason
        self.createdAt = createdAt
    }
}

/// A payment for an order (or a subscription's period), as Stripe's PaymentIntent: one per order, however many cards
/// are tried.
///
/// The amounts always satisfy `amountCaptured + amountCapturable ≤ amount` and `amountRefunded ≤ amountCaptured`;
/// ``amountRefunded`` counts pending and succeeded refunds, not failed ones.
public struct PaymentIntent: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: PaymentIntentID
    /// The order it pays for; `nil` for a subscription's charge.
    public var orderId: OrderID?
    /// The subscription whose period it pays for, if any.
    public var subscriptionId: SubscriptionID?
    /// The customer paying, when known.
    public var customerId: CustomerID?
    /// The amount asked for.
    public var amount: Money
    /// What is authorised and not yet captured: the hold.
    public var amountCapturable: Money
    /// What was captured.
    public var amountCaptured: Money
    /// What was refunded (pending or succeeded).
    public var amountRefunded: Money
    /// Where it stands.
    public var status: PaymentIntentStatus
    /// The card last tried, without its number.
    public var card: CardSummary?
    /// Why the last authorisation was refused, while the intent waits for another card.
    public var lastDecline: Decline?
    /// Why it was canceled, when it was.
    public var cancellationReason: CancellationReason?
    /// When an authorisation not captured by then is canceled (`requires_capture` only).
    public var captureBefore: Date?
    /// Its refunds, oldest first.
    public var refunds: [Refund]
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates the value.
    public init(
        id: PaymentIntentID,
        orderId: OrderID?,
        subscriptionId: SubscriptionID? = nil,
        customerId: CustomerID?,
        amount: Money,
        amountCapturable: Money,
        amountCaptured: Money,
        amountRefunded: Money,
        status: PaymentIntentStatus,
        card: CardSummary?,
        lastDecline: Decline? = nil,
        cancellationReason: CancellationReason? = nil,
        captureBefore: Date? = nil,
        refunds: [Refund] = [],
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.orderId = orderId
        self.subscriptionId = subscriptionId
        self.customerId = customerId
        self.amount = amount
        self.amountCapturable = amountCapturable
        self.amountCaptured = amountCaptured
        self.amountRefunded = amountRefunded
        self.status = status
        self.card = card
        self.lastDecline = lastDecline
        self.cancellationReason = cancellationReason
        self.captureBefore = captureBefore
        self.refunds = refunds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Authorise a card for an order: hold `amount` on it.
///
/// The order's intent is created on first use; another authorisation for the same order after a decline tries the new
/// card on the same intent. A decline is a reply (the intent, `requires_payment_method`, with ``PaymentIntent/lastDecline``),
/// not a failure, so that it is remembered under the idempotency key.
public struct AuthorizationRequest: Codable, Sendable, Hashable {
    /// The order paid for.
    public var orderId: OrderID
    /// The customer paying.
    public var customerId: CustomerID?
    /// How much to hold: positive, in a known currency.
    public var amount: Money
    /// The card.
    public var card: CardDetails

    /// Creates the request.
    public init(orderId: OrderID, customerId: CustomerID?, amount: Money, card: CardDetails) {
        self.orderId = orderId
        self.customerId = customerId
        self.amount = amount
        self.card = card
    }
}

/// Capture an authorised intent, in full or in part; the rest of the hold is released.
public struct CaptureRequest: Codable, Sendable, Hashable {
    /// The intent.
    public var intentId: PaymentIntentID
    /// How much; everything capturable when `nil`.
    public var amount: Money?

    /// Creates the request.
    public init(intentId: PaymentIntentID, amount: Money? = nil) {
        self.intentId = intentId
        self.amount = amount
    }
}

/// Void an intent that is not captured: the hold is released.
public struct CancellationRequest: Codable, Sendable, Hashable {
    /// The intent.
    public var intentId: PaymentIntentID
    /// Why.
    public var reason: CancellationReason

    /// Creates the request.
    public init(intentId: PaymentIntentID, reason: CancellationReason = .requestedByCustomer) {
        self.intentId = intentId
        self.reason = reason
    }
}

/// Give captured money back; several refunds together never exceed what was captured.
public struct RefundRequest: Codable, Sendable, Hashable {
    /// The intent.
    public var intentId: PaymentIntentID
    /// How much; everything captured and not yet refunded when `nil`.
    public var amount: Money?

    /// Creates the request.
    public init(intentId: PaymentIntentID, amount: Money? = nil) {
        self.intentId = intentId
        self.amount = amount
    }
}

/// Which intents to list: newest first, a page at a time.
public struct PaymentQuery: Codable, Sendable, Hashable {
    /// Only this order's intent.
    public var orderId: OrderID?
    /// Only this customer's intents.
    public var customerId: CustomerID?
    /// The ``PaymentPage/nextCursor`` of the previous page; the newest when `nil`.
    public var cursor: String?
    /// At most this many: 1 to 100.
    public var limit: Int

    /// Creates a query.
    public init(orderId: OrderID? = nil, customerId: CustomerID? = nil, cursor: String? = nil, limit: Int = 20) {
        self.orderId = orderId
        self.customerId = customerId
        self.cursor = cursor
        self.limit = limit
    }
}

/// A page of intents, newest first.
public struct PaymentPage: Codable, Sendable, Hashable {
    /// The intents.
    public var items: [PaymentIntent]
    /// Where the next page starts; `nil` on the last page.
    public var nextCursor: String?

    /// Creates the value.
    public init(items: [PaymentIntent], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// The money ledger recomputed: every intent's figures from its movements, compared with the stored ones.
public struct PaymentLedgerCheck: Codable, Sendable, Hashable {
    /// Intents checked.
    public var intentsChecked: Int
    /// Movements read.
    public var movements: Int
    /// Each disagreement, a sentence naming the intent and the figures; empty when the books agree.
    public var discrepancies: [String]

    /// Whether the books agree.
    public var isConsistent: Bool { discrepancies.isEmpty }

    /// Creates the value.
    public init(intentsChecked: Int, movements: Int, discrepancies: [String]) {
        self.intentsChecked = intentsChecked
        self.movements = movements
        self.discrepancies = discrepancies
    }
}
