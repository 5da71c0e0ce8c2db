import Messaging
import Storage

/// Orders' tables, in its own database file, after the idempotency keys (the messaging tables come from the
/// wiring, on their own track).
///
/// An order is one row: the columns it is looked up by, the whole ``OrdersAPI/Order`` as JSON (`document`: lines,
/// prices, address, payment, shipments, timeline and returns are read and written together, always in one
/// transaction), and its checkout saga as JSON (`saga`) with `open` set while the saga has not finished.
/// `claimed_until_us` is the claim of whoever runs the saga (as Warehouse's rows waiting for Inventory): a second
/// runner or the recovery loop leaves the saga alone until the claim has run out. `pending_returns` counts returns
/// whose receipt or refund is not confirmed yet, for the recovery loop. `seq` orders orders as they were created and
/// gives their numbers. `version` counts the row's writes: the saga's driver keeps the order it last wrote in memory
/// and writes the next step only over that version (when something else wrote the order meanwhile, a shipment's
/// event, it reads the order again and applies the step to it).
enum OrdersSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        IdempotencySchema.register(in: &migrator)
        migrator.add(
            "orders-1-orders",
            sql: """
                CREATE TABLE orders (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (
                        status IN ('pending', 'rejected', 'payment-failed', 'confirmed', 'shipped', 'delivered', 'cancelled', 'returned')
                    ),
                    document BLOB NOT NULL,
                    saga BLOB NOT NULL,
                    open INTEGER NOT NULL CHECK (open IN (0, 1)),
                    claimed_until_us INTEGER,
                    pending_returns INTEGER NOT NULL DEFAULT 0 CHECK (pending_returns >= 0),
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL
                );
                CREATE INDEX orders_customer ON orders (customer_id, seq);
                CREATE INDEX orders_status ON orders (status, seq);
                CREATE INDEX orders_open ON orders (seq) WHERE open = 1 OR pending_returns > 0;
                """
        )
        migrator.add("orders-2-version", sql: "ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 0;")
        return migrator
    }
}
