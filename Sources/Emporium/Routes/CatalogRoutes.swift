import CatalogAPI
import Commerce
import Gateway
import HTTP
import Messaging
import ServiceKit

/// The catalog at the edge: public, cached reads; administrators' changes, which invalidate what they touch.
enum CatalogRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let cached = CachePolicy.publicCacheable(maxAge: .seconds(30))
        gateway.route(.get, "/api/v1/categories", to: CatalogEndpoints.categories, cache: cached) { _ in NoInput() }
        gateway.route(.get, "/api/v1/products", to: CatalogEndpoints.products, cache: cached) { request in
            ProductQuery(
                category: request.queryParameter("category").map(CategoryID.init(rawValue:)),
                minPrice: try RouteInputs.integer(request, "minPrice"),
                maxPrice: try RouteInputs.integer(request, "maxPrice"),
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.integer(request, "limit").map(Int.init) ?? 20
            )
        }
        gateway.route(.get, "/api/v1/products/{id}", to: CatalogEndpoints.product, cache: cached, etag: etag) { request in
            ProductID(rawValue: try request.pathParameter("id"))
        }
        addAdministration(to: &gateway)
        gateway.mapFailures(CatalogError.self) { error in
            switch error {
            case .productNotFound: .notFound
            case .categoryNotFound, .invalid, .invalidCursor: .unprocessableContent
            case .duplicateSKU, .duplicateProductID: .conflict
            case .versionConflict: .preconditionFailed
            }
        }
        // A product's change reaches readers at once: its page and every list go.
        gateway.invalidate(on: CatalogEvents.published) { event in
            [.path("/api/v1/products/\(event.subject ?? "")"), .path("/api/v1/products"), .path("/api/v1/search")]
        }
    }

    private static func addAdministration(to gateway: inout Gateway) {
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
            guard let version = try RouteInputs.expectedVersion(request) else {
                throw GatewayError(status: .preconditionRequired, detail: "Send If-Match with the product's ETag to change it.")
            }
            return ProductUpdate(id: ProductID(rawValue: try request.pathParameter("id")), expectedVersion: version, draft: try request.decodeBody())
        }
        gateway.route(.delete, "/api/v1/admin/products/{id}", to: CatalogEndpoints.deactivateProduct, access: admin, etag: etag, invalidates: stale) {
            request in
            ProductDeactivation(id: ProductID(rawValue: try request.pathParameter("id")), expectedVersion: try RouteInputs.expectedVersion(request))
        }
    }

    /// A product's entity tag: its version, which `If-Match` sends back.
    @Sendable
    static func etag(_ product: Product) -> String {
        "\"\(product.version)\""
    }
}
