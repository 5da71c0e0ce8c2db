import Commerce
import Foundation
import InventoryAPI
import Messaging
import ServiceKit
import Storage
import Synchronization

/// The stock movements of one write transaction: each updates the stored figures and appends its ledger row,
/// and at the end the events follow from what changed: `stock-level-changed` for every product whose available
/// units moved, `stock-low` for every warehouse whose available units fell to or below the product's threshold.
final class Ledger: Sendable {
    /// What a movement is, as the ledger names it.
    enum Kind: String {
        case receipt, reservation, release, expiry, commit, adjustment, `return`
    }

    private struct State {
        /// Available units per product and warehouse before this transaction's first movement of them.
        var before: [Key: Int] = [:]
        var order: [Key] = []
    }

    private struct Key: Hashable {
        var product: ProductID
        var warehouse: WarehouseID
    }

    private let outbox: Outbox
    private let defaultThreshold: Int
    private let at: Date
    private let state = Mutex(State())

    init(outbox: Outbox, defaultThreshold: Int, at: Date) {
        self.outbox = outbox
        self.defaultThreshold = defaultThreshold
        self.at = at
    }

    /// Moves stock and records why.
    func move(
        _ product: ProductID,
        _ warehouse: WarehouseID,
        _ kind: Kind,
        onHand: Int = 0,
        reserved: Int = 0,
        reference: String? = nil,
        reason: String? = nil,
        in connection: Connection
    ) throws {
        let key = Key(product: product, warehouse: warehouse)
        if !state.withLock({ $0.before.keys.contains(key) }) {
            try SQLiteInventoryService.ensureStockRow(product, warehouse, in: connection)
            let available = try SQLiteInventoryService.level(product, warehouse, in: connection).available
            state.withLock {
                $0.before[key] = available
                $0.order.append(key)
            }
        }
        try connection.execute(
            "UPDATE stock SET on_hand = on_hand + ?, reserved = reserved + ? WHERE product_id = ? AND warehouse_id = ?",
            [onHand, reserved, product.rawValue, warehouse.rawValue]
        )
        try connection.execute(
            """
            INSERT INTO movement (product_id, warehouse_id, kind, on_hand_delta, reserved_delta, reference, reason, at_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [product.rawValue, warehouse.rawValue, kind.rawValue, onHand, reserved, reference, reason, SQLiteInventoryService.microseconds(at)]
        )
    }

    /// Writes the events that follow from the movements into the outbox; `all` adds products whose level is
    /// announced even if it did not change (first stock).
    func publishChanges(in connection: Connection, all: Set<ProductID> = []) throws {
        let (before, order) = state.withLock { ($0.before, $0.order) }
        var products: [ProductID] = []
        for key in order where !products.contains(key.product) { products.append(key.product) }
        for product in all.sorted(by: { $0.rawValue < $1.rawValue }) where !products.contains(product) { products.append(product) }
        for product in products {
            let threshold = try SQLiteInventoryService.threshold(product, default: defaultThreshold, in: connection)
            let levels = try SQLiteInventoryService.availableByWarehouse(product, in: connection)
            let total = levels.values.reduce(0, +)
            let totalBefore =
                order.filter { $0.product == product }.reduce(0) { $0 + (before[$1] ?? 0) }
                + levels.filter { warehouse, _ in !order.contains(Key(product: product, warehouse: warehouse)) }.values.reduce(0, +)
            if total != totalBefore || all.contains(product) {
                let availability = Availability(productId: product, available: total, status: StockStatus(available: total, threshold: threshold))
                try outbox.enqueue(
                    Envelope(StockLevelChanged(availability: availability), source: SQLiteInventoryService.source, subject: product.rawValue),
                    in: connection
                )
            }
            for key in order where key.product == product {
                let after = levels[key.warehouse] ?? 0
                guard threshold > 0, (before[key] ?? 0) > threshold, after <= threshold else { continue }
                let low = StockLow(productId: product, warehouse: key.warehouse, available: after, totalAvailable: total, threshold: threshold)
                try outbox.enqueue(Envelope(low, source: SQLiteInventoryService.source, subject: product.rawValue), in: connection)
            }
        }
    }
}
