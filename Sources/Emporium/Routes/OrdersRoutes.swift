import CartAPI
import Commerce
import CustomersAPI
import Foundation
import Gateway
import HTTP
import InventoryAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit

/// Orders at the edge: the checkout, a customer's orders with cancel and returns, the administrators' view, and the
/// cross-module audit. Another customer's order is 404 on every route.
enum OrdersRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let customer = Access.authenticated("customer")
        // The checkout's answer follows the order the saga reached within the request's deadline.
        gateway.route(
            .post,
            "/api/v1/checkout",
            to: OrdersEndpoints.checkout,
            access: customer,
            respond: { order, _ in checkoutResponse(order) },
            map: { request in
                let body = try request.decodeBody(CheckoutBody.self)
                return CheckoutRequest(
                    customerId: try RouteInputs.customer(request),
                    addressId: body.addressId,
                    shippingAddress: body.shippingAddress,
                    card: body.card
                )
            }
        )
        gateway.route(.get, "/api/v1/orders", to: OrdersEndpoints.orders, access: customer) { request in
            OrderQuery(
                customerId: try RouteInputs.customer(request),
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.limit(request, default: 20, maximum: 100)
            )
        }
        gateway.route(.get, "/api/v1/orders/{id}", to: OrdersEndpoints.order, access: customer) { request in
            OrderReference(customerId: try RouteInputs.customer(request), orderId: OrderID(rawValue: try request.pathParameter("id")))
        }
        gateway.route(.post, "/api/v1/orders/{id}/cancel", to: OrdersEndpoints.cancel, access: customer) { request in
            OrderReference(customerId: try RouteInputs.customer(request), orderId: OrderID(rawValue: try request.pathParameter("id")))
        }
        gateway.route(.post, "/api/v1/orders/{id}/returns", to: OrdersEndpoints.requestReturn, access: customer, status: .created) { request in
            ReturnRequest(
                customerId: try RouteInputs.customer(request),
                orderId: OrderID(rawValue: try request.pathParameter("id")),
                lines: try request.decodeBody(ReturnBody.self).lines
            )
        }

        let admin = Access.authenticated("admin")
        gateway.route(.get, "/api/v1/admin/orders", to: OrdersEndpoints.orders, access: admin) { request in
            var status: OrderStatus?
            if let text = request.queryParameter("status") {
                guard let value = OrderStatus(rawValue: text) else {
                    throw GatewayError.invalidField("status", "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                status = value
            }
            return OrderQuery(
                status: status,
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.limit(request, default: 20, maximum: 100)
            )
        }
        gateway.route(.get, "/api/v1/admin/orders/{id}", to: OrdersEndpoints.order, access: admin) { request in
            OrderReference(customerId: nil, orderId: OrderID(rawValue: try request.pathParameter("id")))
        }
        // Read by the dashboard every few seconds, so not rate-limited. They stay traced: a route that is not would
        // leave its service call without a server span, and the call would start a trace of its own on every poll. The
        // dashboard sends an unsampled traceparent instead, so its polls record nothing.
        gateway.route(.get, "/api/v1/admin/orders/summary", to: OrdersEndpoints.summary, access: admin, rateLimitClass: nil) { _ in NoInput() }
        gateway.route(.get, "/api/v1/admin/sagas", to: OrdersEndpoints.openSagas, access: admin, rateLimitClass: nil) { _ in NoInput() }
        let audit = Audit(client: gateway.client)
        gateway.route(.get, "/api/v1/admin/audit", access: admin, rateLimitClass: nil) { _ in try await audit.run() }
        gateway.mapFailures(OrdersError.self) { error in
            switch error {
            case .orderNotFound, .addressNotFound: .notFound
            case .emptyCart, .cartNotPurchasable, .notCancellable, .notReturnable, .returnRefused: .conflict
            case .invalid, .invalidAddress: .unprocessableContent
            }
        }
    }

    /// `201` with the order once confirmed; `202` with `Location` while the saga has not decided; a `409` problem
    /// naming the short lines; a `402` problem naming the order and the decline code; a `503` problem naming the
    /// order when Payments was not taking calls (the card was not tried) or Inventory was not (no stock was held).
    static func checkoutResponse(_ order: Order) -> ReplyResponse {
        let location: HTTPHeaders = ["Location": "/api/v1/orders/\(order.id.rawValue)"]
        switch order.status {
        case .rejected where order.timeline.contains(where: { $0.step == TimelineEntry.stockUnavailable }):
            // No stock was held: the customer may try again shortly, with a new key.
            return unavailable(
                order,
                type: "inventory-unavailable",
                detail: "Inventory is not taking calls right now, so no stock was held and nothing was charged; try again in a few seconds."
            )
        case .rejected:
            let lines = order.shortLines ?? []
            let problem = Problem(
                status: .conflict,
                type: Problem.type("insufficient-stock"),
                detail: InventoryError.insufficientStock(lines).detail,
                errors: InventoryError.insufficientStock(lines).fieldErrors
            )
            let members = Rejection(orderId: order.id, lines: lines)
            return ReplyResponse(
                status: .conflict,
                body: (try? ExtendedProblem(problem, extensions: members)).map { .problem($0) } ?? .reply,
                headers: location
            )
        case .paymentFailed where order.payment == nil && order.timeline.contains(where: { $0.step == TimelineEntry.paymentUnavailable }):
            // The card was never tried: the customer may try again shortly, with a new key.
            return unavailable(
                order,
                type: "payments-unavailable",
                detail: "Payments is not taking calls right now, so the card was not tried and nothing was charged; try again in a few seconds."
            )
        case .paymentFailed:
            let code = order.payment?.declineCode
            let problem = Problem(
                status: .paymentRequired,
                type: Problem.type("payment-declined"),
                detail: code.map { "\(Decline(code: $0).message) The decline code is \($0.rawValue)." } ?? "The payment was declined."
            )
            let members = DeclineMembers(orderId: order.id, declineCode: code?.rawValue)
            return ReplyResponse(
                status: .paymentRequired,
                body: (try? ExtendedProblem(problem, extensions: members)).map { .problem($0) } ?? .reply,
                headers: location
            )
        case .pending:
            return ReplyResponse(status: .accepted, headers: location)
        case .cancelled:
            // Compensated before the answer (a service gave no answer, however often asked): not bought, nothing
            // kept; a 201 would tell the customer otherwise.
            return unavailable(
                order,
                type: "checkout-failed",
                detail:
                    "A service did not answer, so the order was not completed: nothing was charged, no stock is held and the cart is kept; try again in a few seconds."
            )
        default:
            return ReplyResponse(status: .created, headers: location)
        }
    }

    /// A `503` naming the order, with `Retry-After`: a service the checkout needed was not taking calls.
    private static func unavailable(_ order: Order, type: String, detail: String) -> ReplyResponse {
        let problem = Problem(status: .serviceUnavailable, type: Problem.type(type), detail: detail)
        var headers: HTTPHeaders = ["Location": "/api/v1/orders/\(order.id.rawValue)"]
        headers.add(name: "Retry-After", value: "10")
        return ReplyResponse(
            status: .serviceUnavailable,
            body: (try? ExtendedProblem(problem, extensions: Unavailable(orderId: order.id))).map { .problem($0) } ?? .reply,
            headers: headers
        )
    }

    struct Rejection: Encodable {
        var orderId: OrderID
        var lines: [InventoryError.ShortLine]
    }

    struct Unavailable: Encodable {
        var orderId: OrderID
    }

    struct DeclineMembers: Encodable {
        var orderId: OrderID
        var declineCode: String?
    }

    /// `POST /api/v1/checkout`: an address book entry or an address, and the card.
    struct CheckoutBody: Codable, Sendable {
        var addressId: AddressID?
        var shippingAddress: Address?
        var card: CardDetails
    }

    /// `POST /api/v1/orders/{id}/returns`.
    struct ReturnBody: Codable, Sendable {
        var lines: [ReturnedLine]
    }
}
