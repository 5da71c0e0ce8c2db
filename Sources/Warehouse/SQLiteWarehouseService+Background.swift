import Foundation
import InventoryAPI
import ServiceKit
import Storage
import Telemetry
import WarehouseAPI

/// The work the background services do: the carrier's steps, and finishing what Inventory has not confirmed yet.
extension SQLiteWarehouseService {
    /// One step of the simulated carrier and supplier: every active shipment moves on one step (a `shipping` one
    /// retries its commit), every ordered purchase order comes one step closer, and those whose lead time is
    /// over are received. A step that fails is logged and taken again at the next tick.
    func carrierStep() async {
        do {
            let active = try await database.read { connection in
                try connection.query(
                    "SELECT id FROM shipment WHERE status IN ('created', 'picking', 'packed', 'shipping', 'shipped') ORDER BY seq"
                ).map { ShipmentID(rawValue: try $0["id"]) }
            }
            for id in active {
                do {
                    // The status is read again, so a shipment an administrator moved meanwhile still moves one step.
                    _ = try await step(try await shipment(id))
                } catch {
                    logger.warning("carrier step failed", metadata: ["shipment": "\(id.rawValue)", "error": "\(error)"])
                }
            }
            let lead = configuration.supplierLeadSteps
            let arrived = try await database.write { connection in
                try connection.execute("UPDATE purchase_order SET transit_steps = transit_steps + 1 WHERE status = 'ordered'")
                return try connection.query(
                    "SELECT id FROM purchase_order WHERE status = 'ordered' AND transit_steps >= ? ORDER BY seq",
                    [lead]
                ).map { PurchaseOrderID(rawValue: try $0["id"]) }
            }
            for id in arrived {
                do {
                    _ = try await receivePurchaseOrder(id)
                } catch {
                    logger.warning("purchase order receipt failed", metadata: ["purchase_order": "\(id.rawValue)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("carrier step failed", metadata: ["error": "\(error)"])
        }
    }

    /// Finishes every step Inventory has not confirmed and nobody is working on: shipments `shipping`, purchase
    /// orders `pending` or `receiving`, returns `receiving`. After a crash this is what tells Inventory what it
    /// missed; Inventory's idempotency makes a repeat harmless.
    func finishPending() async {
        let stamp = Self.microseconds(now())
        do {
            let shipping = try await database.read { connection in
                try connection.query(
                    "SELECT id FROM shipment WHERE status = 'shipping' AND (claimed_until_us IS NULL OR claimed_until_us <= ?) ORDER BY seq",
                    [stamp]
                ).map { ShipmentID(rawValue: try $0["id"]) }
            }
            for id in shipping {
                do { _ = try await finishShipping(id) } catch { report("shipment not shipped yet", "shipment", id.rawValue, error) }
            }
            let orders = try await database.read { connection in
                try connection.query(
                    """
                    SELECT id, status FROM purchase_order
                    WHERE status IN ('pending', 'receiving') AND (claimed_until_us IS NULL OR claimed_until_us <= ?) ORDER BY seq
                    """,
                    [stamp]
                ).map { (PurchaseOrderID(rawValue: try $0["id"]), try $0["status"] as String) }
            }
            for (id, status) in orders {
                do {
                    if status == PurchaseOrderStatus.pending.rawValue {
                        try await place(id)
                    } else {
                        _ = try await receivePurchaseOrder(id)
                    }
                } catch {
                    report("purchase order not finished yet", "purchase_order", id.rawValue, error)
                }
            }
            let returns = try await database.read { connection in
                try connection.query(
                    "SELECT id FROM return_receipt WHERE status = 'receiving' AND (claimed_until_us IS NULL OR claimed_until_us <= ?) ORDER BY id",
                    [stamp]
                ).map { ReturnID(rawValue: try $0["id"]) }
            }
            for id in returns {
                do {
                    guard let pending = try await database.read({ try Self.receivedReturn(id, in: $0) }) else { continue }
                    _ = try await receiveReturn(pending.receipt)
                } catch {
                    report("return not received yet", "return", id.rawValue, error)
                }
            }
        } catch {
            logger.error("recovery pass failed", metadata: ["error": "\(error)"])
        }
    }

    private func report(_ message: String, _ key: String, _ id: String, _ error: any Error) {
        logger.warning("\(message)", metadata: [key: "\(id)", "error": "\(error)"])
    }
}
