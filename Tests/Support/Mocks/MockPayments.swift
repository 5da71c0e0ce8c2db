public import Commerce
public import PaymentsAPI
public import ServiceKit

/// Payments' API answered by closures; each method the test does not set records a test issue when called.
public struct MockPayments: PaymentsService {
    public var onAuthorize: @Sendable (IdempotentRequest<AuthorizationRequest>) async throws -> IdempotentReply<PaymentIntent> = unexpected(
        "PaymentsService.authorize"
    )
    public var onCapture: @Sendable (IdempotentRequest<CaptureRequest>) async throws -> IdempotentReply<PaymentIntent> = unexpected(
        "PaymentsService.capture"
    )
    public var onCancel: @Sendable (IdempotentRequest<CancellationRequest>) async throws -> IdempotentReply<PaymentIntent> = unexpected(
        "PaymentsService.cancel"
    )
    public var onRefund: @Sendable (IdempotentRequest<RefundRequest>) async throws -> IdempotentReply<PaymentIntent> = unexpected(
        "PaymentsService.refund"
    )
    public var onPayment: @Sendable (PaymentIntentID) async throws -> PaymentIntent = unexpected("PaymentsService.payment")
    public var onPayments: @Sendable (PaymentQuery) async throws -> PaymentPage = unexpected("PaymentsService.payments")
    public var onSubscribe: @Sendable (IdempotentRequest<SubscriptionRequest>) async throws -> IdempotentReply<Subscription> = unexpected(
        "PaymentsService.subscribe"
    )
    public var onSubscription: @Sendable (CustomerID) async throws -> Subscription = unexpected("PaymentsService.subscription")
    public var onCancelSubscription: @Sendable (CustomerID) async throws -> Subscription = unexpected("PaymentsService.cancelSubscription")
    public var onCustomerPayments: @Sendable (CustomerID) async throws -> CustomerPayments = unexpected("PaymentsService.customerPayments")
    public var onCheckLedger: @Sendable (NoInput) async throws -> PaymentLedgerCheck = unexpected("PaymentsService.checkLedger")

    /// Payments expecting no calls.
    public init() {}

    public func authorize(_ request: IdempotentRequest<AuthorizationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await onAuthorize(request)
    }
    public func capture(_ request: IdempotentRequest<CaptureRequest>) async throws -> IdempotentReply<PaymentIntent> { try await onCapture(request) }
    public func cancel(_ request: IdempotentRequest<CancellationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        try await onCancel(request)
    }
    public func refund(_ request: IdempotentRequest<RefundRequest>) async throws -> IdempotentReply<PaymentIntent> { try await onRefund(request) }
    public func payment(_ id: PaymentIntentID) async throws -> PaymentIntent { try await onPayment(id) }
    public func payments(_ query: PaymentQuery) async throws -> PaymentPage { try await onPayments(query) }
    public func subscribe(_ request: IdempotentRequest<SubscriptionRequest>) async throws -> IdempotentReply<Subscription> {
        try await onSubscribe(request)
    }
    public func subscription(_ customerId: CustomerID) async throws -> Subscription { try await onSubscription(customerId) }
    public func cancelSubscription(_ customerId: CustomerID) async throws -> Subscription { try await onCancelSubscription(customerId) }
    public func customerPayments(_ customerId: CustomerID) async throws -> CustomerPayments { try await onCustomerPayments(customerId) }
    public func checkLedger() async throws -> PaymentLedgerCheck { try await onCheckLedger(NoInput()) }

    /// The mock as the `payments` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerPayments(self)
        return MockService(name: "payments", handlers: handlers)
    }
}
