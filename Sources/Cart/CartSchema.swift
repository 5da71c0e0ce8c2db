import Storage

/// The cart's tables, in its own database file.
///
/// `cart` is one row per owner: a customer (`customer_id`) or a guest, kept only as the SHA-256 of the guest's token
/// (`guest_hash`, hex), so the file never holds a token that would open the cart. `cart_line` holds its products,
/// each with the unit price when it was added and its position (the order lines were first added in).
///
/// What a cart is priced and flagged from is the cart's own copy of other modules' facts, kept from their events:
/// `product` (catalog events, each row at the newest catalog version seen), `availability` (Inventory's
/// `stock-level-changed`) and `membership` (one row per customer who is a member now, from Payments' subscription
/// events; a customer who is not a member has no row). `applied_order` lists the orders whose checkout has taken
/// their units out of a cart, so a repeated checkout changes nothing.
///
/// Erasing a customer deletes their `cart`, its lines and their `membership` row; the database zeroes deleted
/// content (`secure_delete`), and the module truncates its log after the commit.
enum CartSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "cart-1-carts-lines-facts",
            sql: """
                CREATE TABLE cart (
                    id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT UNIQUE,
                    guest_hash TEXT UNIQUE,
                    version INTEGER NOT NULL CHECK (version >= 0),
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL,
                    expires_us INTEGER NOT NULL,
                    CHECK ((customer_id IS NULL) <> (guest_hash IS NULL))
                ) WITHOUT ROWID;
                CREATE INDEX cart_expiry ON cart (expires_us);
                CREATE TABLE cart_line (
                    cart_id TEXT NOT NULL REFERENCES cart(id) ON DELETE CASCADE,
                    product_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
                    added_price_minor INTEGER NOT NULL,
                    added_currency TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (cart_id, product_id)
                ) WITHOUT ROWID;
                CREATE TABLE product (
                    product_id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    price_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    version INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE availability (
                    product_id TEXT PRIMARY KEY NOT NULL,
                    available INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE membership (
                    customer_id TEXT PRIMARY KEY NOT NULL,
                    updated_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE applied_order (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    applied_us INTEGER NOT NULL
                ) WITHOUT ROWID;
                """
        )
        return migrator
    }
}
