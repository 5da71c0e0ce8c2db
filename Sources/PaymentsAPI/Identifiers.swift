public import ServiceKit

/// Tags ``PaymentIntentID``.
public enum PaymentIntentTag {}
/// A payment intent's identifier, `pi_…`.
public typealias PaymentIntentID = Identifier<PaymentIntentTag>

/// Tags ``RefundID``.
public enum RefundTag {}
/// A refund's identifier, `re_…`.
public typealias RefundID = Identifier<RefundTag>

/// Tags ``SubscriptionID``.
public enum SubscriptionTag {}
/// A subscription's identifier, `sub_…`.
public typealias SubscriptionID = Identifier<SubscriptionTag>
