import Storage

/// Inventory's tables, in its own database file.
///
/// `stock` holds the current figures per product and warehouse, with `CHECK`s that make overselling impossible
/// at the storage level as well (reserved never above on hand, nothing below zero). `movement` is the append-only
/// ledger every change writes in the same transaction; on hand and reserved are its sums, which
/// `checkLedger` recomputes.
enum InventorySchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "inventory-1-stock-reservations-ledger",
            sql: """
                CREATE TABLE warehouse (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    city TEXT NOT NULL,
                    country TEXT NOT NULL,
                    priority INTEGER NOT NULL
                );
                CREATE TABLE stock (
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL REFERENCES warehouse(id),
                    on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
                    reserved INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
                    incoming INTEGER NOT NULL DEFAULT 0 CHECK (incoming >= 0),
                    PRIMARY KEY (product_id, warehouse_id)
                ) WITHOUT ROWID;
                CREATE TABLE threshold (
                    product_id TEXT PRIMARY KEY NOT NULL,
                    low_stock INTEGER NOT NULL CHECK (low_stock >= 0)
                );
                CREATE TABLE reservation (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('held', 'committed', 'released', 'expired')),
                    expires_at_us INTEGER NOT NULL,
                    created_at_us INTEGER NOT NULL
                );
                CREATE INDEX reservation_held_expiry ON reservation (expires_at_us) WHERE status = 'held';
                CREATE TABLE allocation (
                    order_id TEXT NOT NULL REFERENCES reservation(order_id),
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    state TEXT NOT NULL CHECK (state IN ('held', 'committed', 'returned')),
                    PRIMARY KEY (order_id, product_id, warehouse_id)
                ) WITHOUT ROWID;
                CREATE TABLE incoming (
                    reference TEXT PRIMARY KEY NOT NULL,
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    received INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE receipt (
                    reference TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL
                );
                CREATE TABLE movement (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'reservation', 'release', 'expiry', 'commit', 'adjustment', 'return')),
                    on_hand_delta INTEGER NOT NULL,
                    reserved_delta INTEGER NOT NULL,
                    reference TEXT,
                    reason TEXT,
                    at_us INTEGER NOT NULL
                );
                CREATE INDEX movement_stock ON movement (product_id, warehouse_id);
                """
        )
        return migrator
    }
}
