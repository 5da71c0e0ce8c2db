import Commerce
import Foundation
import InventoryAPI
import Messaging
public import ServiceKit
import Storage
import Telemetry
public import WarehouseAPI

/// Purchase orders to the simulated supplier: raised on Inventory's stock-low reports, received after the
/// supplier's lead time or by hand.
extension SQLiteWarehouseService {
    public func purchaseOrders() async throws -> [PurchaseOrder] {
        try await database.read { connection in
            try connection.fetchAll(PurchaseOrderRow.self, "SELECT * FROM purchase_order ORDER BY seq DESC").map(\.order)
        }
    }

    /// Raises a purchase order for the product and warehouse that ran low, unless one is open for them, and
    /// tells Inventory to count it as incoming.
    ///
    /// The order is recorded with the event in the inbox's transaction, so a redelivered event raises nothing,
    /// and the open-order index makes a repeated report (a new event while the order is open) raise nothing either.
    /// Telling Inventory comes after: if it does not answer, the order stays `pending` and the recovery loop tells
    /// it later, so the handler does not fail the event for it.
    /// - Throws: ``Storage/StorageError`` when the order cannot be recorded (the bus retries the event).
    func replenish(_ event: StockLow, envelope: Envelope) async throws {
        let quantity = min(configuration.targetStock - event.available, Quantity.maximum)
        let raised = Self.microseconds(now())
        let id = PurchaseOrderID(rawValue: "po-" + EventID.make())
        try await inbox.process(envelope) { connection in
            guard quantity >= 1 else { return }
            try connection.execute(
                """
                INSERT INTO purchase_order (id, product_id, warehouse, quantity, status, raised_us) VALUES (?, ?, ?, ?, 'pending', ?)
                ON CONFLICT DO NOTHING
                """,
                [id.rawValue, event.productId.rawValue, event.warehouse.rawValue, quantity, raised]
            )
        }
        let pending = try await database.read { connection in
            try connection.query(
                "SELECT id FROM purchase_order WHERE product_id = ? AND warehouse = ? AND status = 'pending'",
                [event.productId.rawValue, event.warehouse.rawValue]
            ).map { PurchaseOrderID(rawValue: try $0["id"]) }
        }
        for order in pending {
            do {
                try await place(order)
            } catch {
                logger.warning("purchase order not placed yet", metadata: ["purchase_order": "\(order.rawValue)", "error": "\(error)"])
            }
        }
    }

    /// `pending → ordered`: Inventory counts the order's units as incoming (idempotent per order id). Does nothing
    /// when the order is not pending or another caller is placing it.
    /// - Throws: ``WarehouseError/purchaseOrderRefused(_:reason:)`` (the order is withdrawn),
    ///   ``WarehouseError/inventoryUnavailable(_:)`` (it stays pending).
    func place(_ id: PurchaseOrderID) async throws {
        let stamp = Self.microseconds(now())
        let until = stamp + configuration.claim.clampedMicroseconds
        let claimed = try await database.write { connection -> PurchaseOrder? in
            try connection.execute(
                """
                UPDATE purchase_order SET claimed_until_us = :until
                WHERE id = :id AND status = 'pending' AND (claimed_until_us IS NULL OR claimed_until_us <= :now)
                """,
                ["until": until, "id": id.rawValue, "now": stamp]
            )
            guard connection.changes == 1 else { return nil }
            return try Self.purchaseOrder(id, in: connection)
        }
        guard let order = claimed else { return }
        do {
            _ = try await inventory.expectIncoming(
                IncomingStock(reference: id.rawValue, productId: order.productId, warehouse: order.warehouse, quantity: order.quantity)
            )
        } catch let error as InventoryError {
            // Inventory will never count this order: withdraw it, so the next stock-low report can raise one it takes.
            try await database.write { connection in
                try connection.execute("DELETE FROM purchase_order WHERE id = ? AND status = 'pending'", [id.rawValue])
            }
            logger.error("purchase order refused by inventory", metadata: ["purchase_order": "\(id.rawValue)", "error": "\(error.detail)"])
            throw WarehouseError.purchaseOrderRefused(id, reason: Self.clause(error))
        } catch {
            try? await releasePurchaseOrder(id, claim: until)
            throw WarehouseError.inventoryUnavailable(
                "purchase order \(id.rawValue) is raised and goes to the supplier once Inventory counts it as incoming"
            )
        }
        try await database.write { connection in
            try connection.execute(
                "UPDATE purchase_order SET status = 'ordered', claimed_until_us = NULL WHERE id = ? AND status = 'pending'",
                [id.rawValue]
            )
        }
    }

    public func receivePurchaseOrder(_ id: PurchaseOrderID) async throws -> PurchaseOrder {
        guard let found = try await database.read({ try Self.purchaseOrder(id, in: $0) }) else {
            throw WarehouseError.purchaseOrderNotFound(id)
        }
        if found.status == .received { return found }
        // Stock must be announced before it can arrive: Inventory moves a receipt from incoming to on hand.
        if found.status == .pending { try await place(id) }
        let stamp = Self.microseconds(now())
        let until = stamp + configuration.claim.clampedMicroseconds
        let claimed = try await database.write { connection -> PurchaseOrder? in
            try connection.execute(
                """
                UPDATE purchase_order SET status = 'receiving', claimed_until_us = :until
                WHERE id = :id AND (status = 'ordered' OR (status = 'receiving' AND (claimed_until_us IS NULL OR claimed_until_us <= :now)))
                """,
                ["until": until, "id": id.rawValue, "now": stamp]
            )
            guard connection.changes == 1 else { return nil }
            return try Self.purchaseOrder(id, in: connection)
        }
        // Received already, or being placed or received by another caller right now.
        guard let order = claimed else { return try await database.read { try Self.purchaseOrder(id, in: $0) } ?? found }
        do {
            _ = try await inventory.receive(
                StockReceipt(
                    reference: id.rawValue,
                    kind: .purchaseOrder,
                    productId: order.productId,
                    warehouse: order.warehouse,
                    quantity: order.quantity
                )
            )
        } catch {
            if let refusal = error as? InventoryError {
                logger.error(
                    "purchase order receipt refused by inventory",
                    metadata: ["purchase_order": "\(id.rawValue)", "error": "\(refusal.detail)"]
                )
            }
            try? await releasePurchaseOrder(id, claim: until)
            throw WarehouseError.inventoryUnavailable("purchase order \(id.rawValue) has arrived and goes on hand once Inventory confirms")
        }
        let received = Self.microseconds(now())
        return try await database.write { connection in
            try connection.execute(
                "UPDATE purchase_order SET status = 'received', claimed_until_us = NULL, received_us = ? WHERE id = ? AND status = 'receiving'",
                [received, id.rawValue]
            )
            guard let order = try Self.purchaseOrder(id, in: connection) else { throw WarehouseError.purchaseOrderNotFound(id) }
            return order
        }
    }

    /// Gives up the claim `until` on a purchase order, so the next attempt need not wait for it to run out.
    private func releasePurchaseOrder(_ id: PurchaseOrderID, claim until: Int64) async throws {
        try await database.write { connection in
            try connection.execute("UPDATE purchase_order SET claimed_until_us = NULL WHERE id = ? AND claimed_until_us = ?", [id.rawValue, until])
        }
    }
}
