public import Commerce
public import Messaging

// Intent events carry the intent as it is after the change; their subject is the order id (or, for a subscription's
// charge, the intent id), so one order's payment events arrive in order with its other events.

/// A card was authorised: the amount is held.
public struct PaymentAuthorized: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.payment-authorized.v1"
    /// The intent, `requires_capture`.
    public var intent: PaymentIntent
    /// Creates the event.
    public init(intent: PaymentIntent) { self.intent = intent }
}

/// An authorised intent was captured (`amount` of it); the rest of the hold, if any, was released.
public struct PaymentCaptured: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.payment-captured.v1"
    /// The intent, `succeeded`.
    public var intent: PaymentIntent
    /// What was captured.
    public var amount: Money
    /// Creates the event.
    public init(intent: PaymentIntent, amount: Money) {
        self.intent = intent
        self.amount = amount
    }
}

/// An intent was voided before capture: any hold was released.
public struct PaymentVoided: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.payment-voided.v1"
    /// The intent, `canceled`.
    public var intent: PaymentIntent
    /// Creates the event.
    public init(intent: PaymentIntent) { self.intent = intent }
}

/// An authorisation was not captured within the capture window and was canceled.
public struct AuthorizationExpired: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.authorization-expired.v1"
    /// The intent, `canceled` with reason `expired`.
    public var intent: PaymentIntent
    /// Creates the event.
    public init(intent: PaymentIntent) { self.intent = intent }
}

/// Money was refunded (the refund may still be `pending`).
public struct PaymentRefunded: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.payment-refunded.v1"
    /// The intent after the refund.
    public var intent: PaymentIntent
    /// The refund.
    public var refund: Refund
    /// Creates the event.
    public init(intent: PaymentIntent, refund: Refund) {
        self.intent = intent
        self.refund = refund
    }
}

/// A pending refund failed: its amount is refundable again.
public struct RefundFailed: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.refund-failed.v1"
    /// The intent after the failure.
    public var intent: PaymentIntent
    /// The refund, `failed`, with its reason.
    public var refund: Refund
    /// Creates the event.
    public init(intent: PaymentIntent, refund: Refund) {
        self.intent = intent
        self.refund = refund
    }
}

// Subscription events carry the subscription as it is after the change; their subject is the customer id.

/// A customer subscribed and the first period was paid.
public struct SubscriptionStarted: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.subscription-started.v1"
    /// The subscription, `active`.
    public var subscription: Subscription
    /// Creates the event.
    public init(subscription: Subscription) { self.subscription = subscription }
}

/// A period was renewed and paid (on time, or by a retry).
public struct SubscriptionRenewed: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.subscription-renewed.v1"
    /// The subscription, `active`, in its new period.
    public var subscription: Subscription
    /// Creates the event.
    public init(subscription: Subscription) { self.subscription = subscription }
}

/// A renewal was declined; it is retried at ``Subscription/nextRetryAt`` unless the retries ran out (then a
/// ``SubscriptionLapsed`` follows).
public struct SubscriptionRenewalFailed: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.subscription-renewal-failed.v1"
    /// The subscription, `past_due`, with its decline.
    public var subscription: Subscription
    /// Creates the event.
    public init(subscription: Subscription) { self.subscription = subscription }
}

/// Every retry of a renewal was declined: membership ended.
public struct SubscriptionLapsed: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.subscription-lapsed.v1"
    /// The subscription, `lapsed`.
    public var subscription: Subscription
    /// Creates the event.
    public init(subscription: Subscription) { self.subscription = subscription }
}

/// The customer ended their subscription (or their account was deleted): membership ended at once.
public struct SubscriptionCancelled: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "payments.subscription-cancelled.v1"
    /// The subscription, `canceled`.
    public var subscription: Subscription
    /// Creates the event.
    public init(subscription: Subscription) { self.subscription = subscription }
}

/// The events Payments publishes.
public enum PaymentsEvents {
    /// Every event type Payments publishes through its outbox.
    public static let published = [
        PaymentAuthorized.eventType, PaymentCaptured.eventType, PaymentVoided.eventType, AuthorizationExpired.eventType,
        PaymentRefunded.eventType, RefundFailed.eventType, SubscriptionStarted.eventType, SubscriptionRenewed.eventType,
        SubscriptionRenewalFailed.eventType, SubscriptionLapsed.eventType, SubscriptionCancelled.eventType,
    ]
}
