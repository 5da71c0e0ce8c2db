import Commerce
import Gateway
import HTTP
import PaymentsAPI
import ServiceKit

/// Payments at the edge: the payments ledger and refunds for administrators, a customer's membership subscription.
/// Authorising, capturing and voiding are not routes: the checkout saga does them.
enum PaymentsRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let admin = Access.authenticated("admin")
        gateway.route(.get, "/api/v1/admin/payments", to: PaymentsEndpoints.payments, access: admin) { request in
            PaymentQuery(
                orderId: request.queryParameter("orderId").map(OrderID.init(rawValue:)),
                customerId: request.queryParameter("customerId").map(CustomerID.init(rawValue:)),
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.limit(request, default: 20, maximum: 100)
            )
        }
        gateway.route(.get, "/api/v1/admin/payments/{id}", to: PaymentsEndpoints.payment, access: admin) { request in
            PaymentIntentID(rawValue: try request.pathParameter("id"))
        }
        gateway.route(.post, "/api/v1/admin/payments/{id}/refunds", to: PaymentsEndpoints.refund, access: admin, status: .created) { request in
            RefundRequest(
                intentId: PaymentIntentID(rawValue: try request.pathParameter("id")),
                amount: try request.decodeBody(RefundBody.self).amount
            )
        }

        let customer = Access.authenticated("customer")
        gateway.route(.post, "/api/v1/me/subscription", to: PaymentsEndpoints.subscribe, access: customer, status: .created) { request in
            let body = try request.decodeBody(SubscribeBody.self)
            return SubscriptionRequest(customerId: try RouteInputs.customer(request), plan: body.plan, card: body.card)
        }
        gateway.route(.get, "/api/v1/me/subscription", to: PaymentsEndpoints.subscription, access: customer) { try RouteInputs.customer($0) }
        gateway.route(.delete, "/api/v1/me/subscription", to: PaymentsEndpoints.cancelSubscription, access: customer) {
            try RouteInputs.customer($0)
        }
        gateway.mapFailures(PaymentsError.self) { error in
            switch error {
            case .cardDeclined: .paymentRequired
            case .paymentNotFound, .subscriptionNotFound: .notFound
            case .unexpectedState, .alreadySubscribed: .conflict
            case .invalidCard, .amountTooLarge, .invalid: .unprocessableContent
            }
        }
    }

    /// `POST /api/v1/admin/payments/{id}/refunds`: everything left when `amount` is absent.
    struct RefundBody: Codable, Sendable {
        var amount: Money?
    }

    /// `POST /api/v1/me/subscription`.
    struct SubscribeBody: Codable, Sendable {
        var plan: Plan
        var card: CardDetails
    }
}
