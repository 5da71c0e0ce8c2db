public import Commerce
public import ServiceKit

/// A simulated card processor with Stripe's semantics: payment intents authorised, captured, voided and refunded,
/// a ledger of every money movement, and monthly membership subscriptions renewed on the system clock.
///
/// Every operation that moves money takes an idempotency key (``ServiceKit/IdempotentRequest``): the same key and
/// request return the first reply, marked replayed, and move nothing again. Card numbers and verification codes are
/// never stored or logged.
public protocol PaymentsService: Sendable {
    /// Authorises a card for an order: the order's intent becomes `requires_capture`, or stays
    /// `requires_payment_method` with the decline.
    /// - Throws: ``PaymentsError/invalidCard(_:field:)`` (Luhn, expiry, verification code),
    ///   ``PaymentsError/unexpectedState(_:_:operation:)`` when the order's intent is already authorised, captured or
    ///   canceled, ``PaymentsError/invalid(_:field:)``.
    func authorize(_ request: IdempotentRequest<AuthorizationRequest>) async throws -> IdempotentReply<PaymentIntent>
    /// Captures an authorised intent in full or in part; the rest of the hold is released.
    /// - Throws: ``PaymentsError/paymentNotFound(_:)``, ``PaymentsError/unexpectedState(_:_:operation:)``,
    ///   ``PaymentsError/amountTooLarge(requested:available:operation:)``.
    func capture(_ request: IdempotentRequest<CaptureRequest>) async throws -> IdempotentReply<PaymentIntent>
    /// Voids an intent that is not captured.
    /// - Throws: ``PaymentsError/paymentNotFound(_:)``, ``PaymentsError/unexpectedState(_:_:operation:)`` once captured.
    func cancel(_ request: IdempotentRequest<CancellationRequest>) async throws -> IdempotentReply<PaymentIntent>
    /// Refunds captured money; refunds together never exceed the capture.
    /// - Throws: ``PaymentsError/paymentNotFound(_:)``, ``PaymentsError/unexpectedState(_:_:operation:)`` before
    ///   capture, ``PaymentsError/amountTooLarge(requested:available:operation:)``.
    func refund(_ request: IdempotentRequest<RefundRequest>) async throws -> IdempotentReply<PaymentIntent>
    /// One intent.
    /// - Throws: ``PaymentsError/paymentNotFound(_:)``.
    func payment(_ id: PaymentIntentID) async throws -> PaymentIntent
    /// Intents, newest first, a page at a time.
    /// - Throws: ``PaymentsError/invalid(_:field:)`` for a bad cursor or limit.
    func payments(_ query: PaymentQuery) async throws -> PaymentPage
    /// Subscribes a customer: the first period is charged at once.
    /// - Throws: ``PaymentsError/cardDeclined(_:)`` with the decline, ``PaymentsError/invalidCard(_:field:)``,
    ///   ``PaymentsError/alreadySubscribed(_:_:)`` while a subscription is `active` or `past_due`.
    func subscribe(_ request: IdempotentRequest<SubscriptionRequest>) async throws -> IdempotentReply<Subscription>
    /// The customer's subscription, current or the last one ended.
    /// - Throws: ``PaymentsError/subscriptionNotFound(_:)``.
    func subscription(_ customerId: CustomerID) async throws -> Subscription
    /// Ends the customer's subscription at once; again changes nothing.
    /// - Throws: ``PaymentsError/subscriptionNotFound(_:)``.
    func cancelSubscription(_ customerId: CustomerID) async throws -> Subscription
    /// Everything Payments holds about a customer, for their data export.
    func customerPayments(_ customerId: CustomerID) async throws -> CustomerPayments
    /// Recomputes every intent's figures from the ledger and compares them with the stored ones.
    func checkLedger() async throws -> PaymentLedgerCheck
}

/// Payments' endpoints.
public enum PaymentsEndpoints {
    /// ``PaymentsService/authorize(_:)``: idempotent per key.
    public static let authorize = Endpoint<IdempotentRequest<AuthorizationRequest>, IdempotentReply<PaymentIntent>>(
        "payments.authorize",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/capture(_:)``: idempotent per key.
    public static let capture = Endpoint<IdempotentRequest<CaptureRequest>, IdempotentReply<PaymentIntent>>(
        "payments.capture",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/cancel(_:)``: idempotent per key.
    public static let cancel = Endpoint<IdempotentRequest<CancellationRequest>, IdempotentReply<PaymentIntent>>(
        "payments.cancel",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/refund(_:)``: idempotent per key.
    public static let refund = Endpoint<IdempotentRequest<RefundRequest>, IdempotentReply<PaymentIntent>>(
        "payments.refund",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/payment(_:)``.
    public static let payment = Endpoint<PaymentIntentID, PaymentIntent>("payments.payment", idempotent: true, failure: PaymentsError.self)
    /// ``PaymentsService/payments(_:)``.
    public static let payments = Endpoint<PaymentQuery, PaymentPage>("payments.payments", idempotent: true, failure: PaymentsError.self)
    /// ``PaymentsService/subscribe(_:)``: idempotent per key.
    public static let subscribe = Endpoint<IdempotentRequest<SubscriptionRequest>, IdempotentReply<Subscription>>(
        "payments.subscribe",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/subscription(_:)``.
    public static let subscription = Endpoint<CustomerID, Subscription>("payments.subscription", idempotent: true, failure: PaymentsError.self)
    /// ``PaymentsService/cancelSubscription(_:)``: idempotent.
    public static let cancelSubscription = Endpoint<CustomerID, Subscription>(
        "payments.cancel-subscription",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/customerPayments(_:)``.
    public static let customerPayments = Endpoint<CustomerID, CustomerPayments>(
        "payments.customer-payments",
        idempotent: true,
        failure: PaymentsError.self
    )
    /// ``PaymentsService/checkLedger()``.
    public static let checkLedger = Endpoint<NoInput, PaymentLedgerCheck>(
        "payments.check-ledger",
        idempotent: true,
        timeout: .seconds(30),
        failure: PaymentsError.self
    )
}

/// Payments as other modules and the gateway reach it: every method is a call through the pipeline.
public struct PaymentsClient: PaymentsService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func authorize(_ request: IdempotentRequest<AuthorizationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await client.call(PaymentsEndpoints.authorize, request)
    }
    public func capture(_ request: IdempotentRequest<CaptureRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await client.call(PaymentsEndpoints.capture, request)
    }
    public func cancel(_ request: IdempotentRequest<CancellationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await client.call(PaymentsEndpoints.cancel, request)
    }
    public func refund(_ request: IdempotentRequest<RefundRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await client.call(PaymentsEndpoints.refund, request)
    }
    public func payment(_ id: PaymentIntentID) async throws -> PaymentIntent { try await client.call(PaymentsEndpoints.payment, id) }
    public func payments(_ query: PaymentQuery) async throws -> PaymentPage { try await client.call(PaymentsEndpoints.payments, query) }
    public func subscribe(_ request: IdempotentRequest<SubscriptionRequest>) async throws -> IdempotentReply<Subscription> {
        try await client.call(PaymentsEndpoints.subscribe, request)
    }
    public func subscription(_ customerId: CustomerID) async throws -> Subscription {
        try await client.call(PaymentsEndpoints.subscription, customerId)
    }
    public func cancelSubscription(_ customerId: CustomerID) async throws -> Subscription {
        try await client.call(PaymentsEndpoints.cancelSubscription, customerId)
    }
    public func customerPayments(_ customerId: CustomerID) async throws -> CustomerPayments {
        try await client.call(PaymentsEndpoints.customerPayments, customerId)
    }
    public func checkLedger() async throws -> PaymentLedgerCheck { try await client.call(PaymentsEndpoints.checkLedger, NoInput()) }
}

extension EndpointHandlers {
    /// Registers every payments endpoint to be answered by `service`.
    public mutating func registerPayments(_ service: some PaymentsService) {
        register(PaymentsEndpoints.authorize) { try await service.authorize($0) }
        register(PaymentsEndpoints.capture) { try await service.capture($0) }
        register(PaymentsEndpoints.cancel) { try await service.cancel($0) }
        register(PaymentsEndpoints.refund) { try await service.refund($0) }
        register(PaymentsEndpoints.payment) { try await service.payment($0) }
        register(PaymentsEndpoints.payments) { try await service.payments($0) }
        register(PaymentsEndpoints.subscribe) { try await service.subscribe($0) }
        register(PaymentsEndpoints.subscription) { try await service.subscription($0) }
        register(PaymentsEndpoints.cancelSubscription) { try await service.cancelSubscription($0) }
        register(PaymentsEndpoints.customerPayments) { try await service.customerPayments($0) }
        register(PaymentsEndpoints.checkLedger) { _ in try await service.checkLedger() }
    }
}
