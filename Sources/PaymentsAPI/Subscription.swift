public import Commerce
public import Foundation

/// A membership plan.
public enum Plan: String, Codable, Sendable, Hashable, CaseIterable {
    /// Emporium Plus: free shipping on every order, 4.99 EUR a month.
    case plus

    /// What it costs each period.
    public var price: Money {
        switch self {
        case .plus: Money(minorUnits: 499, currency: "EUR")
        }
    }

    /// Its name in the shop.
    public var displayName: String {
        switch self {
        case .plus: "Emporium Plus"
        }
    }
}

/// Where a subscription stands, with Stripe's names where they exist.
///
/// `active` (paid for the current period) → `past_due` (a renewal was declined and is retried on a schedule) → back to
/// `active` when a retry succeeds, or `lapsed` when the retries run out; `canceled` when the customer ends it (or their
/// account is deleted). A customer is a member while the subscription is `active` or `past_due`.
public enum SubscriptionStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Paid for the current period.
    case active
    /// A renewal was declined; it is retried, and membership holds meanwhile.
    case pastDue = "past_due"
    /// Every renewal retry was declined: membership ended.
    case lapsed
    /// Ended by the customer: membership ended at once.
    case canceled

    /// Whether the customer is a member.
    public var isMember: Bool { self == .active || self == .pastDue }
}

/// A customer's membership, renewed each period on its card.
public struct Subscription: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: SubscriptionID
    /// The member.
    public var customerId: CustomerID
    /// The plan.
    public var plan: Plan
    /// Where it stands.
    public var status: SubscriptionStatus
    /// The card renewals are charged to, without its number.
    public var card: CardSummary
    /// When the current period began.
    public var currentPeriodStart: Date
    /// When the current period ends and the next renewal is due.
    public var currentPeriodEnd: Date
    /// Declined renewal attempts for the current period.
    public var failedRenewals: Int
    /// When a declined renewal is tried again (`past_due` only).
    public var nextRetryAt: Date?
    /// The last renewal's decline, while `past_due` or `lapsed`.
    public var lastDecline: Decline?
    /// When it started.
    public var createdAt: Date
    /// When it ended (`lapsed` or `canceled`).
    public var endedAt: Date?

    /// Creates the value.
    public init(
        id: SubscriptionID,
        customerId: CustomerID,
        plan: Plan,
        status: SubscriptionStatus,
        card: CardSummary,
        currentPeriodStart: Date,
        currentPeriodEnd: Date,
        failedRenewals: Int = 0,
        nextRetryAt: Date? = nil,
        lastDecline: Decline? = nil,
        createdAt: Date,
        endedAt: Date? = nil
    ) {
        self.id = id
        self.customerId = customerId
        self.plan = plan
        self.status = status
        self.card = card
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
        self.failedRenewals = failedRenewals
        self.nextRetryAt = nextRetryAt
        self.lastDecline = lastDecline
        self.createdAt = createdAt
        self.endedAt = endedAt
    }
}

/// Subscribe a customer to a plan: the first period is charged at once.
public struct SubscriptionRequest: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The plan.
    public var plan: Plan
    /// The card to charge now and at each renewal.
    public var card: CardDetails

    /// Creates the request.
    public init(customerId: CustomerID, plan: Plan, card: CardDetails) {
        self.customerId = customerId
        self.plan = plan
        self.card = card
    }
}

/// What Payments holds about one customer, for their data export: card details masked as everywhere.
public struct CustomerPayments: Codable, Sendable, Hashable {
    /// Their subscription, current or ended, if they ever had one.
    public var subscription: Subscription?
    /// Their payment intents, newest first.
    public var payments: [PaymentIntent]

    /// Creates the value.
    public init(subscription: Subscription?, payments: [PaymentIntent]) {
        self.subscription = subscription
        self.payments = payments
    }
}
