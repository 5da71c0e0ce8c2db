import Commerce
import Foundation
import InventoryAPI
import ServiceKit
import Storage
import WarehouseAPI

/// Reading Warehouse's rows back as its API's values.
extension SQLiteWarehouseService {
    /// One shipment with its lines, or `nil`.
    static func shipment(_ id: ShipmentID, in connection: Connection) throws -> Shipment? {
        try decodeShipments(
            try connection.query(
                """
                SELECT s.*, l.product_id, l.quantity FROM shipment AS s JOIN shipment_line AS l ON l.shipment_id = s.id
                WHERE s.id = ? ORDER BY l.product_id
                """,
                [id.rawValue]
            )
        ).first
    }

    /// One shipment that must exist (it was just written or claimed in this transaction).
    static func requireShipment(_ id: ShipmentID, in connection: Connection) throws -> Shipment {
        guard let shipment = try shipment(id, in: connection) else { throw WarehouseError.shipmentNotFound(id) }
        return shipment
    }

    /// An order's shipments, in the order fulfilment created them.
    static func shipments(ofOrder orderId: OrderID, in connection: Connection) throws -> [Shipment] {
        try decodeShipments(
            try connection.query(
                """
                SELECT s.*, l.product_id, l.quantity FROM shipment AS s JOIN shipment_line AS l ON l.shipment_id = s.id
                WHERE s.order_id = ? ORDER BY s.seq, l.product_id
                """,
                [orderId.rawValue]
            )
        )
    }

    /// Shipments from rows of `shipment` columns joined with one line each (`product_id`, `quantity`), a
    /// shipment's rows together.
    static func decodeShipments(_ rows: [Row]) throws -> [Shipment] {
        var shipments: [Shipment] = []
        for row in rows {
            let id = ShipmentID(rawValue: try row["id"])
            let line = ShipmentLine(productId: ProductID(rawValue: try row["product_id"]), quantity: try Quantity(try row["quantity"] as Int))
            if shipments.last?.id == id {
                shipments[shipments.count - 1].lines.append(line)
                continue
            }
            let status: String = try row["status"]
            guard let decoded = ShipmentStatus(rawValue: status) else {
                throw UnknownStatus(row: "shipment \(id.rawValue)", status: status)
            }
            shipments.append(
                Shipment(
                    id: id,
                    orderId: OrderID(rawValue: try row["order_id"]),
                    warehouse: WarehouseID(rawValue: try row["warehouse"]),
                    lines: [line],
                    status: decoded,
                    carrier: try row["carrier"],
                    trackingNumber: try row["tracking_number"],
                    createdAt: date(microseconds: try row["created_us"]),
                    updatedAt: date(microseconds: try row["updated_us"])
                )
            )
        }
        return shipments
    }

    /// One purchase order, or `nil`.
    static func purchaseOrder(_ id: PurchaseOrderID, in connection: Connection) throws -> PurchaseOrder? {
        try connection.fetchOne(PurchaseOrderRow.self, "SELECT * FROM purchase_order WHERE id = ?", [id.rawValue])?.order
    }

    /// One return with its lines, or `nil`.
    static func receivedReturn(_ id: ReturnID, in connection: Connection) throws -> ReceivedReturn? {
        guard let row = try connection.queryFirst("SELECT * FROM return_receipt WHERE id = ?", [id.rawValue]) else { return nil }
        let lines = try connection.query("SELECT product_id, quantity FROM return_line WHERE return_id = ? ORDER BY product_id", [id.rawValue])
            .map { line in ReturnLine(productId: ProductID(rawValue: try line["product_id"]), quantity: try Quantity(try line["quantity"] as Int)) }
        let status: String = try row["status"]
        guard let decoded = ReceivedReturn.Status(rawValue: status) else {
            throw UnknownStatus(row: "return \(id.rawValue)", status: status)
        }
        let receipt = ReturnReceipt(
            returnId: id,
            orderId: OrderID(rawValue: try row["order_id"]),
            lines: lines,
            warehouse: WarehouseID(rawValue: try row["warehouse"])
        )
        return ReceivedReturn(receipt: receipt, status: decoded)
    }
}

/// A `purchase_order` row.
struct PurchaseOrderRow: RowDecodable {
    let order: PurchaseOrder

    init(row: Row) throws {
        let id = PurchaseOrderID(rawValue: try row["id"])
        let status: String = try row["status"]
        guard let decoded = PurchaseOrderStatus(rawValue: status) else {
            throw UnknownStatus(row: "purchase order \(id.rawValue)", status: status)
        }
        order = PurchaseOrder(
            id: id,
            productId: ProductID(rawValue: try row["product_id"]),
            warehouse: WarehouseID(rawValue: try row["warehouse"]),
            quantity: try Quantity(try row["quantity"] as Int),
            status: decoded,
            raisedAt: SQLiteWarehouseService.date(microseconds: try row["raised_us"]),
            receivedAt: (try row["received_us"] as Int64?).map(SQLiteWarehouseService.date(microseconds:))
        )
    }
}

/// A row whose status this build does not know: written by a newer build, or damaged.
struct UnknownStatus: Error, CustomStringConvertible {
    /// The row, such as `shipment shp-1`.
    let row: String
    /// The status found.
    let status: String
    var description: String { "\(row) has the unknown status '\(status)'" }
}
