import CartAPI
import Commerce
import Gateway
import HTTP
import Security
import ServiceKit

/// The cart at the edge, for guests and signed-in customers alike: a signed-in caller's cart is theirs; a guest's is
/// named by the opaque token in `X-Cart-Token`, which the edge makes up on the guest's first addition and returns in
/// that header. Writes honour `If-Match` with the cart's version (its `ETag`): a stale write is 412.
enum CartRoutes {
    /// The request and response header naming a guest's cart.
    static let tokenHeader = "X-Cart-Token"

    @Sendable
    static func add(to gateway: inout Gateway) {
        let carts = CartClient(client: gateway.client)
        let anyone = Access.optionallyAuthenticated
        gateway.route(.get, "/api/v1/cart", access: anyone) { request in
            // A guest without a token has an empty cart, and none is made for them by reading.
            let owner = try owner(of: request) ?? .guest(newToken())
            let cart = try await carts.cart(CartQuery(owner: owner, country: request.queryParameter("country")))
            return try response(cart)
        }
        gateway.route(.post, "/api/v1/cart/items", access: anyone) { request in
            let body = try request.decodeBody(ItemBody.self)
            let given = try owner(of: request)
            let owner = given ?? .guest(newToken())
            let cart = try await carts.addItem(
                CartItemAddition(
                    owner: owner,
                    productId: body.productId,
                    quantity: body.quantity,
                    expectedVersion: try RouteInputs.expectedVersion(request)
                )
            )
            return try response(cart, newToken: given == nil ? owner.guestToken : nil)
        }
        gateway.route(.put, "/api/v1/cart/items/{productId}", access: anyone) { request in
            let body = try request.decodeBody(QuantityBody.self)
            let cart = try await carts.updateItem(
                CartItemUpdate(
                    owner: try requiredOwner(of: request),
                    productId: ProductID(rawValue: try request.pathParameter("productId")),
                    quantity: body.quantity,
                    expectedVersion: try RouteInputs.expectedVersion(request)
                )
            )
            return try response(cart)
        }
        gateway.route(.delete, "/api/v1/cart/items/{productId}", access: anyone) { request in
            let cart = try await carts.updateItem(
                CartItemUpdate(
                    owner: try requiredOwner(of: request),
                    productId: ProductID(rawValue: try request.pathParameter("productId")),
                    quantity: 0,
                    expectedVersion: try RouteInputs.expectedVersion(request)
                )
            )
            return try response(cart)
        }
        gateway.route(.post, "/api/v1/cart/merge", access: .authenticated("customer")) { request in
            let body = try request.decodeBody(MergeBody.self)
            let cart = try await carts.merge(CartMerge(customerId: try RouteInputs.customer(request), guestToken: body.cartToken))
            return try response(cart)
        }
        gateway.mapFailures(CartError.self) { error in
            switch error {
            case .versionConflict: .preconditionFailed
            case .productNotFound, .lineNotFound: .notFound
            case .productOffSale, .tooManyLines: .conflict
            case .invalid: .unprocessableContent
            }
        }
    }

    /// The caller's cart: the signed-in customer's, else the guest's named by `X-Cart-Token`; `nil` for a guest
    /// without one.
    /// - Throws: ``GatewayError`` (400) for a token that cannot be one of ours.
    static func owner(of request: GatewayRequest) throws -> CartOwner? {
        if request.principal != nil { return .customer(try RouteInputs.customer(request)) }
        guard let token = request.http.headers.first(name: tokenHeader) else { return nil }
        guard (16...128).contains(token.utf8.count), token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw GatewayError.invalidField(tokenHeader, "must be the token this shop sent")
        }
        return .guest(token)
    }

    /// The caller's cart, which must exist to be changed.
    /// - Throws: ``CartAPI/CartError/lineNotFound(_:)`` for a guest without a token: they have no line.
    static func requiredOwner(of request: GatewayRequest) throws -> CartOwner {
        guard let owner = try owner(of: request) else {
            throw CartError.lineNotFound(ProductID(rawValue: request.http.pathParameters["productId"] ?? ""))
        }
        return owner
    }

    /// A fresh guest token: 24 random bytes, base64url.
    static func newToken() -> String { Base64URL.encode(SecureRandom.bytes(24)) }

    /// The cart with its version as `ETag`, and a new guest's token.
    static func response(_ cart: Cart, newToken: String? = nil) throws -> RouteResponse {
        var headers: HTTPHeaders = [:]
        if let newToken { headers.add(name: tokenHeader, value: newToken) }
        return try RouteResponse(json: cart, headers: headers, etag: "\"\(cart.version)\"")
    }

    /// `POST /api/v1/cart/items`.
    struct ItemBody: Codable, Sendable {
        var productId: ProductID
        var quantity: Int
    }

    /// `PUT /api/v1/cart/items/{productId}`.
    struct QuantityBody: Codable, Sendable {
        var quantity: Int
    }

    /// `POST /api/v1/cart/merge`.
    struct MergeBody: Codable, Sendable {
        var cartToken: String
    }
}
