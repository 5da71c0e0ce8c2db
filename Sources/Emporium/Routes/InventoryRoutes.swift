import Commerce
import Gateway
import HTTP
import InventoryAPI
import Messaging
import ServiceKit

/// Inventory at the edge: a product's availability for shoppers; stock, adjustments and thresholds for
/// administrators. Reservations are not routes: the checkout saga makes them.
enum InventoryRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        // Short-lived in the cache: availability changes with every sale; the stock events clear it sooner.
        gateway.route(
            .get,
            "/api/v1/products/{id}/availability",
            to: InventoryEndpoints.availability,
            cache: .publicCacheable(maxAge: .seconds(5))
        ) { request in
            ProductID(rawValue: try request.pathParameter("id"))
        }
        let admin = Access.authenticated("admin")
        let stale: @Sendable (GatewayRequest) -> [CacheInvalidation] = { request in
            [.path("/api/v1/products/\(request.http.pathParameters["productId"] ?? "")/availability")]
        }
        // Read by the dashboard every few seconds, so not rate-limited (the dashboard's polls send an unsampled
        // traceparent, so they record no trace).
        gateway.route(.get, "/api/v1/admin/inventory", to: InventoryEndpoints.stockLevels, access: admin, rateLimitClass: nil) { request in
            StockQuery(
                lowOnly: try RouteInputs.boolean(request, "low") ?? false,
                cursor: request.queryParameter("cursor"),
                limit: try RouteInputs.limit(request, default: 50, maximum: 100)
            )
        }
        gateway.route(.get, "/api/v1/admin/inventory/{productId}", to: InventoryEndpoints.stock, access: admin) { request in
            ProductID(rawValue: try request.pathParameter("productId"))
        }
        gateway.route(
            .post,
            "/api/v1/admin/inventory/{productId}/adjustments",
            to: InventoryEndpoints.adjust,
            access: admin,
            invalidates: stale
        ) { request in
            let body = try request.decodeBody(AdjustmentBody.self)
            return StockAdjustment(
                productId: ProductID(rawValue: try request.pathParameter("productId")),
                warehouse: body.warehouse,
                delta: body.delta,
                reason: body.reason
            )
        }
        gateway.route(.put, "/api/v1/admin/inventory/{productId}/threshold", to: InventoryEndpoints.setThreshold, access: admin, invalidates: stale) {
            request in
            LowStockThreshold(
                productId: ProductID(rawValue: try request.pathParameter("productId")),
                threshold: try request.decodeBody(ThresholdBody.self).threshold
            )
        }
        gateway.mapFailures(InventoryError.self) { error in
            switch error {
            case .insufficientStock, .reservationNotHeld, .adjustmentBelowReserved: .conflict
            case .reservationNotFound: .notFound
            case .warehouseNotFound, .invalid: .unprocessableContent
            }
        }
        // Search hits show stock too.
        gateway.invalidate(on: [StockLevelChanged.eventType]) { event in
            [.path("/api/v1/products/\(event.subject ?? "")/availability"), .path("/api/v1/search")]
        }
    }

    /// `POST /api/v1/admin/inventory/{productId}/adjustments`: the product comes from the path.
    struct AdjustmentBody: Codable, Sendable {
        var warehouse: WarehouseID
        var delta: Int
        var reason: String
    }

    /// `PUT /api/v1/admin/inventory/{productId}/threshold`.
    struct ThresholdBody: Codable, Sendable {
        var threshold: Int
    }
}
