import Commerce
import CustomersAPI
import Gateway
import HTTP
import ServiceKit

/// Customers at the edge: the caller's profile, address book and notifications. Every route acts on the caller
/// only; another customer's address id is 404, as an unknown one.
enum CustomersRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let customer = Access.authenticated("customer")
        gateway.route(.get, "/api/v1/me/profile", to: CustomersEndpoints.profile, access: customer) { try RouteInputs.customer($0) }
        gateway.route(.put, "/api/v1/me/profile", to: CustomersEndpoints.updateProfile, access: customer) { request in
            let body = try request.decodeBody(ProfileBody.self)
            return ProfileUpdate(
                customerId: try RouteInputs.customer(request),
                displayName: body.displayName,
                phone: body.phone,
                marketingOptIn: body.marketingOptIn
            )
        }
        gateway.route(.get, "/api/v1/me/addresses", to: CustomersEndpoints.addresses, access: customer) { try RouteInputs.customer($0) }
        gateway.route(.post, "/api/v1/me/addresses", to: CustomersEndpoints.addAddress, access: customer, status: .created) { request in
            let body = try request.decodeBody(AddressBody.self)
            return NewAddress(customerId: try RouteInputs.customer(request), address: body.address, isDefault: body.isDefault ?? false)
        }
        gateway.route(.put, "/api/v1/me/addresses/{id}", to: CustomersEndpoints.updateAddress, access: customer) { request in
            let body = try request.decodeBody(AddressBody.self)
            return AddressChange(
                customerId: try RouteInputs.customer(request),
                addressId: AddressID(rawValue: try request.pathParameter("id")),
                address: body.address,
                isDefault: body.isDefault ?? false
            )
        }
        gateway.route(.delete, "/api/v1/me/addresses/{id}", to: CustomersEndpoints.deleteAddress, access: customer, status: .noContent) { request in
            AddressReference(customerId: try RouteInputs.customer(request), addressId: AddressID(rawValue: try request.pathParameter("id")))
        }
        gateway.route(.get, "/api/v1/me/notifications", to: CustomersEndpoints.notifications, access: customer) { request in
            NotificationQuery(
                customerId: try RouteInputs.customer(request),
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.limit(request, default: 20, maximum: 100)
            )
        }
        gateway.mapFailures(CustomersError.self) { error in
            switch error {
            case .profileNotFound, .addressNotFound: .notFound
            case .addressBookFull: .conflict
            default: .unprocessableContent
            }
        }
    }

    /// `PUT /api/v1/me/profile`: the whole profile a customer may change.
    struct ProfileBody: Codable, Sendable {
        var displayName: String
        var phone: String?
        var marketingOptIn: Bool
    }

    /// `POST /api/v1/me/addresses`, `PUT /api/v1/me/addresses/{id}`: an address, and whether it becomes the default.
    struct AddressBody: Codable, Sendable {
        var name: String
        var line1: String
        var line2: String?
        var city: String
        var postalCode: String
        var country: String
        var phone: String?
        var isDefault: Bool?

        var address: Address {
            Address(name: name, line1: line1, line2: line2, city: city, postalCode: postalCode, country: country, phone: phone)
        }
    }
}
