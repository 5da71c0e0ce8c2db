import CartAPI
import Commerce
import CustomersAPI
import Foundation
import Gateway
import HTTP
import IdentityAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit

/// A customer's data is theirs: `GET /api/v1/me/export` gathers what every module holds about the caller, each
/// through its own API. (Deleting the account, `DELETE /api/v1/me`, is Identity's: every module erases its part as
/// the user-deleted event reaches it.)
enum AccountRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let identity = IdentityClient(client: gateway.client)
        let customers = CustomersClient(client: gateway.client)
        let payments = PaymentsClient(client: gateway.client)
        let carts = CartClient(client: gateway.client)
        let orders = OrdersClient(client: gateway.client)
        gateway.route(.get, "/api/v1/me/export", access: .authenticated("customer")) { request in
            let customer = try RouteInputs.customer(request)
            async let user = identity.user(UserID(rawValue: customer.rawValue))
            async let held = customers.customerData(customer)
            async let paid = payments.customerPayments(customer)
            async let cart = carts.cart(CartQuery(owner: .customer(customer)))
            async let bought = orders.customerOrders(customer)
            let data = try await held
            return AccountExport(
                exportedAt: Date(),
                user: try await user,
                profile: data.profile,
                addresses: data.addresses,
                notifications: data.notifications,
                cart: try await cart,
                orders: try await bought,
                payments: try await paid
            )
        }
    }

    /// Everything the shop holds about one customer.
    struct AccountExport: Codable, Sendable {
        var exportedAt: Date
        var user: User
        var profile: CustomerProfile?
        var addresses: [SavedAddress]
        var notifications: [CustomersAPI.Notification]
        var cart: Cart
        var orders: [Order]
        var payments: CustomerPayments
    }
}
