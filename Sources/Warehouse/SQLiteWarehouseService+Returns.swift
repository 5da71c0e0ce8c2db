import Commerce
import Foundation
import InventoryAPI
import ServiceKit
import Storage
import Telemetry
public import WarehouseAPI

/// Returns: what customers sent back goes on hand again, once per return.
extension SQLiteWarehouseService {
    public func receiveReturn(_ receipt: ReturnReceipt) async throws -> ReceivedReturn {
        try Self.validate(receipt)
        let id = receipt.returnId
        let stamp = Self.microseconds(now())
        let until = stamp + configuration.claim.clampedMicroseconds
        enum Start: Sendable {
            case claimed
            case answered(ReceivedReturn)
        }
        let start = try await database.write { connection -> Start in
            if let existing = try Self.receivedReturn(id, in: connection) {
                guard Self.same(existing.receipt, receipt) else { throw WarehouseError.returnMismatch(id) }
                guard existing.status == .receiving else { return .answered(existing) }
                try connection.execute(
                    """
                    UPDATE return_receipt SET claimed_until_us = :until
                    WHERE id = :id AND status = 'receiving' AND (claimed_until_us IS NULL OR claimed_until_us <= :now)
                    """,
                    ["until": until, "id": id.rawValue, "now": stamp]
                )
                // Another caller is receiving it right now.
                return connection.changes == 1 ? .claimed : .answered(existing)
            }
            try connection.execute(
                """
                INSERT INTO return_receipt (id, order_id, warehouse, status, claimed_until_us, recorded_us)
                VALUES (?, ?, ?, 'receiving', ?, ?)
                """,
                [id.rawValue, receipt.orderId.rawValue, receipt.warehouse.rawValue, until, stamp]
            )
            for line in receipt.lines {
                try connection.execute(
                    "INSERT INTO return_line (return_id, product_id, quantity) VALUES (?, ?, ?)",
                    [id.rawValue, line.productId.rawValue, line.quantity.value]
                )
            }
            return .claimed
        }
        switch start {
        case .answered(let answer): return answer
        case .claimed: return try await putBackOnHand(receipt, claim: until)
        }
    }

    /// Tells Inventory about each line of a claimed return (idempotent per return and product), then records it
    /// received.
    func putBackOnHand(_ receipt: ReturnReceipt, claim until: Int64) async throws -> ReceivedReturn {
        let id = receipt.returnId
        for line in receipt.lines {
            do {
                _ = try await inventory.receive(
                    StockReceipt(
                        reference: "\(id.rawValue):\(line.productId.rawValue)",
                        kind: .return,
                        productId: line.productId,
                        warehouse: receipt.warehouse,
                        quantity: line.quantity
                    )
                )
            } catch let error as InventoryError {
                // Forgotten, so a corrected receipt can be sent under the same id; lines Inventory took already are
                // taken again without effect, being idempotent per reference.
                try await database.write { connection in
                    try connection.execute("DELETE FROM return_line WHERE return_id = ?", [id.rawValue])
                    try connection.execute("DELETE FROM return_receipt WHERE id = ?", [id.rawValue])
                }
                throw WarehouseError.returnRefused(id, reason: Self.clause(error))
            } catch {
                try? await database.write { connection in
                    try connection.execute(
                        "UPDATE return_receipt SET claimed_until_us = NULL WHERE id = ? AND claimed_until_us = ?",
                        [id.rawValue, until]
                    )
                }
                throw WarehouseError.inventoryUnavailable("return \(id.rawValue) is recorded and goes on hand once Inventory confirms")
            }
        }
        return try await database.write { connection in
            try connection.execute("UPDATE return_receipt SET status = 'received', claimed_until_us = NULL WHERE id = ?", [id.rawValue])
            guard let received = try Self.receivedReturn(id, in: connection) else { throw WarehouseError.returnMismatch(id) }
            return received
        }
    }

    static func validate(_ receipt: ReturnReceipt) throws {
        guard !receipt.returnId.rawValue.isEmpty else { throw WarehouseError.invalid("must not be empty", field: "returnId") }
        guard !receipt.warehouse.rawValue.isEmpty else { throw WarehouseError.invalid("must not be empty", field: "warehouse") }
        guard !receipt.lines.isEmpty else { throw WarehouseError.invalid("must list at least one product", field: "lines") }
        var seen: Set<ProductID> = []
        for line in receipt.lines where !seen.insert(line.productId).inserted {
            throw WarehouseError.invalid("names the product \(line.productId.rawValue) more than once", field: "lines")
        }
    }

    /// Whether two receipts of one return say the same: order, warehouse and lines in any order.
    static func same(_ one: ReturnReceipt, _ other: ReturnReceipt) -> Bool {
        one.orderId == other.orderId && one.warehouse == other.warehouse && Set(one.lines) == Set(other.lines)
    }
}
