import Gateway
import HTTP
import ServiceKit
import WarehouseAPI

/// Warehouse at the edge: administrators follow and move shipments and receive purchase orders. Fulfilment and
/// returns have no route: the order saga calls them through Warehouse's API.
enum WarehouseRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        let admin = Access.authenticated("admin")
        gateway.route(.get, "/api/v1/admin/shipments", to: WarehouseEndpoints.shipments, access: admin) { request in
            var status: ShipmentStatus?
            if let name = request.queryParameter("status") {
                guard let chosen = ShipmentStatus(rawValue: name) else {
                    let names = ShipmentStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    throw GatewayError.invalidField("status", "must be one of \(names)")
                }
                status = chosen
            }
            return ShipmentQuery(status: status, limit: try RouteInputs.integer(request, "limit").map(Int.init) ?? 100)
        }
        gateway.route(.get, "/api/v1/admin/shipments/{id}", to: WarehouseEndpoints.shipment, access: admin) { request in
            ShipmentID(rawValue: try request.pathParameter("id"))
        }
        gateway.route(.post, "/api/v1/admin/shipments/{id}/advance", to: WarehouseEndpoints.advance, access: admin) { request in
            ShipmentID(rawValue: try request.pathParameter("id"))
        }
        gateway.route(.post, "/api/v1/admin/shipments/{id}/cancel", to: WarehouseEndpoints.cancel, access: admin) { request in
            ShipmentID(rawValue: try request.pathParameter("id"))
        }
        gateway.route(.get, "/api/v1/admin/purchase-orders", to: WarehouseEndpoints.purchaseOrders, access: admin) { _ in NoInput() }
        gateway.route(.post, "/api/v1/admin/purchase-orders/{id}/receive", to: WarehouseEndpoints.receivePurchaseOrder, access: admin) {
            request in
            PurchaseOrderID(rawValue: try request.pathParameter("id"))
        }
        gateway.mapFailures(WarehouseError.self) { error in
            switch error {
            case .shipmentNotFound, .purchaseOrderNotFound: .notFound
            case .orderNotFulfillable, .shipmentFinished, .shipmentAlreadyShipped, .stockNotCommitted, .returnRefused, .returnMismatch,
                .purchaseOrderRefused:
                .conflict
            case .inventoryUnavailable: .serviceUnavailable
            case .invalid: .unprocessableContent
            }
        }
    }
}
