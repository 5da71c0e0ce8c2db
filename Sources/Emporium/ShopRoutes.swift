import CatalogAPI
import Commerce
import Gateway
import HTTP
import IdentityAPI
import Messaging
import SearchAPI
import ServiceKit

/// The shop's public API, `/api/v1/...`, mapped onto module endpoints: what `Docs/openapi.yaml` describes.
enum ShopRoutes {
    static func add(to gateway: inout Gateway, bus: any MessageBus) {
        addIdentity(to: &gateway)
        addCatalog(to: &gateway, bus: bus)
        addSearch(to: &gateway)
        addAdmin(to: &gateway)
    }

    // MARK: - Identity

    private static func addIdentity(to gateway: inout Gateway) {
        gateway.route(.post, "/api/v1/auth/register", to: IdentityEndpoints.register, rateLimitClass: "auth", status: .created) {
            try $0.decodeBody(Registration.self)
        }
        gateway.route(.post, "/api/v1/auth/login", to: IdentityEndpoints.login, rateLimitClass: "auth") { request in
            let body = try request.decodeBody(Credentials.self)
            // Throttling counts the address the connection comes from, never one the client claims.
            return Credentials(email: body.email, password: body.password, clientAddress: request.http.remoteAddress?.host)
        }
        gateway.route(.post, "/api/v1/auth/refresh", to: IdentityEndpoints.refresh, rateLimitClass: "auth") {
            try $0.decodeBody(RefreshToken.self)
        }
        gateway.route(.post, "/api/v1/auth/logout", to: IdentityEndpoints.logout, rateLimitClass: "auth", status: .noContent) {
            try $0.decodeBody(RefreshToken.self)
        }
        gateway.route(.get, "/api/v1/me", to: IdentityEndpoints.user, access: .authenticated(nil)) { request in
            guard let subject = request.principal?.subject else { throw GatewayError(status: .unauthorized, detail: "no user") }
            return UserID(rawValue: subject)
        }
        gateway.mapFailures(IdentityError.self) { error in
            switch error {
            case .invalidEmail, .weakPassword: .unprocessableContent
            case .emailTaken: .conflict
            case .invalidCredentials, .invalidRefreshToken, .refreshTokenReused: .unauthorized
            case .tooManyAttempts: .tooManyRequests
            case .userNotFound: .notFound
            }
        }
    }

    // MARK: - Catalog

    private static func addCatalog(to gateway: inout Gateway, bus: any MessageBus) {
        let cached = CachePolicy.publicCacheable(maxAge: .seconds(30))
        gateway.route(.get, "/api/v1/categories", to: CatalogEndpoints.categories, cache: cached) { _ in NoInput() }
        gateway.route(.get, "/api/v1/products", to: CatalogEndpoints.products, cache: cached) { request in
            ProductQuery(
                category: request.queryParameter("category").map(CategoryID.init(rawValue:)),
                minPrice: try integer(request, "minPrice"),
                maxPrice: try integer(request, "maxPrice"),
                cursor: request.queryParameter("cursor"),
                limit: try integer(request, "limit").map(Int.init) ?? 20
            )
        }
        gateway.route(.get, "/api/v1/products/{id}", to: CatalogEndpoints.product, cache: cached, etag: etag) { request in
            ProductID(rawValue: try request.pathParameter("id"))
        }
        gateway.mapFailures(CatalogError.self) { error in
            switch error {
            case .productNotFound: .notFound
            case .categoryNotFound, .invalid, .invalidCursor: .unprocessableContent
            case .duplicateSKU: .conflict
            case .versionConflict: .preconditionFailed
            }
        }
        // A product's change reaches readers at once: its page and every list go.
        for topic in CatalogEvents.published {
            gateway.invalidate(on: topic, bus: bus) { event in
                [.path("/api/v1/products/\(event.subject ?? "")"), .path("/api/v1/products"), .path("/api/v1/search")]
            }
        }
    }

    /// A product's entity tag: its version, which `If-Match` sends back.
    @Sendable
    static func etag(_ product: Product) -> String {
        "\"\(product.version)\""
    }

    // MARK: - Search

    private static func addSearch(to gateway: inout Gateway) {
        gateway.route(.get, "/api/v1/search", to: SearchEndpoints.search, cache: .publicCacheable(maxAge: .seconds(5))) { request in
            guard let text = request.queryParameter("q"), !text.isEmpty else {
                throw GatewayError.badRequest("q, the text to search for, is required")
            }
            var sort = SearchQuery.Sort.relevance
            if let name = request.queryParameter("sort") {
                guard let chosen = SearchQuery.Sort(rawValue: name) else {
                    throw GatewayError.badRequest("sort is one of relevance, price-asc, price-desc, name")
                }
                sort = chosen
            }
            return SearchQuery(
                text: text,
                category: request.queryParameter("category"),
                minPrice: try integer(request, "minPrice"),
                maxPrice: try integer(request, "maxPrice"),
                sort: sort,
                limit: try integer(request, "limit").map(Int.init) ?? 20,
                offset: try integer(request, "offset").map(Int.init) ?? 0
            )
        }
        gateway.mapFailures(SearchError.self) { _ in .badRequest }
    }

    // MARK: - Administration

    private static func addAdmin(to gateway: inout Gateway) {
        let admin = Access.authenticated("admin")
        // The admin reads their own write at once; the catalog's event clears the same entries for everyone later.
        let stale: @Sendable (GatewayRequest) -> [CacheInvalidation] = { request in
            var keys: [CacheInvalidation] = [.path("/api/v1/products"), .path("/api/v1/search")]
            if let id = request.http.pathParameters["id"] { keys.append(.path("/api/v1/products/\(id)")) }
            return keys
        }
        gateway.route(
            .post,
            "/api/v1/admin/products",
            to: CatalogEndpoints.createProduct,
            access: admin,
            status: .created,
            etag: etag,
            invalidates: stale
        ) {
            try $0.decodeBody(ProductDraft.self)
        }
        gateway.route(.put, "/api/v1/admin/products/{id}", to: CatalogEndpoints.updateProduct, access: admin, etag: etag, invalidates: stale) {
            request in
            guard let version = try expectedVersion(request) else {
                throw GatewayError(status: .preconditionRequired, detail: "send If-Match with the product's ETag to change it")
            }
            return ProductUpdate(id: ProductID(rawValue: try request.pathParameter("id")), expectedVersion: version, draft: try request.decodeBody())
        }
        // Recovery: rebuild the search index from the catalog's API.
        gateway.route(.post, "/api/v1/admin/search/reindex", to: SearchEndpoints.reindex, access: admin) { _ in NoInput() }
        gateway.route(.delete, "/api/v1/admin/products/{id}", to: CatalogEndpoints.deactivateProduct, access: admin, etag: etag, invalidates: stale) {
            request in
            ProductDeactivation(id: ProductID(rawValue: try request.pathParameter("id")), expectedVersion: try expectedVersion(request))
        }
    }

    /// The version an `If-Match` field names (`"3"` or `W/"3"`); `nil` without the field.
    /// - Throws: ``GatewayError`` (412) for a tag that is no version of ours, such as `*` or a list.
    static func expectedVersion(_ request: GatewayRequest) throws -> Int? {
        guard let field = request.http.headers.first(name: "If-Match") else { return nil }
        var tag = HTTPHeaders.trimmingWhitespace(field[...])
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int(tag.dropFirst().dropLast()), version > 0 else {
            throw GatewayError(status: .preconditionFailed, detail: "If-Match must be one ETag of the product, such as \"3\"")
        }
        return version
    }

    /// The query parameter `name` as an integer; `nil` when absent.
    /// - Throws: ``GatewayError`` (400) when present but not an integer.
    static func integer(_ request: GatewayRequest, _ name: String) throws -> Int64? {
        guard let text = request.queryParameter(name) else { return nil }
        guard let value = Int64(text) else { throw GatewayError.badRequest("\(name) must be an integer") }
        return value
    }
}
