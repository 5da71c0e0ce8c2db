import Storage

/// Warehouse's tables, in its own database file.
///
/// Every row that waits for Inventory to confirm something (a shipment `shipping`, a purchase order `pending` or
/// `receiving`, a return `receiving`) carries `claimed_until_us`: whoever is telling Inventory sets it, so a
/// second caller, the carrier or the recovery loop leave the row alone until that call has ended, or until the
/// claim has run out because its holder crashed. `seq` orders shipments and purchase orders as they were created
/// (their ids are UUIDv7, which are ordered only to the millisecond).
enum WarehouseSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "warehouse-1-shipments-purchase-orders-returns",
            sql: """
                CREATE TABLE shipment (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    order_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (
                        status IN ('created', 'picking', 'packed', 'shipping', 'shipped', 'delivered', 'cancelled')
                    ),
                    carrier TEXT,
                    tracking_number TEXT,
                    claimed_until_us INTEGER,
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL,
                    UNIQUE (order_id, warehouse)
                );
                CREATE INDEX shipment_status ON shipment (status, seq);
                CREATE TABLE shipment_line (
                    shipment_id TEXT NOT NULL REFERENCES shipment(id),
                    product_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (shipment_id, product_id)
                ) WITHOUT ROWID;
                CREATE TABLE purchase_order (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    product_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'ordered', 'receiving', 'received')),
                    transit_steps INTEGER NOT NULL DEFAULT 0,
                    claimed_until_us INTEGER,
                    raised_us INTEGER NOT NULL,
                    received_us INTEGER
                );
                -- At most one open purchase order per product and warehouse: a repeated stock-low raises none.
                CREATE UNIQUE INDEX purchase_order_open ON purchase_order (product_id, warehouse) WHERE status <> 'received';
                CREATE INDEX purchase_order_status ON purchase_order (status, seq);
                CREATE TABLE return_receipt (
                    id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('receiving', 'received')),
                    claimed_until_us INTEGER,
                    recorded_us INTEGER NOT NULL
                );
                CREATE INDEX return_receipt_status ON return_receipt (status);
                CREATE TABLE return_line (
                    return_id TEXT NOT NULL REFERENCES return_receipt(id) ON DELETE CASCADE,
                    product_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (return_id, product_id)
                ) WITHOUT ROWID;
                """
        )
        return migrator
    }
}
