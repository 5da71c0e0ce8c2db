import CartAPI
import CatalogAPI
import Commerce
import Foundation
import ServiceKit
import Storage
import Telemetry

/// The cart's rows, and the cart as its API shows it.
extension SQLiteCartService {
    // MARK: - Carts

    /// The owner's cart, unless it has expired (the sweeper deletes it later); for reads.
    static func cartRow(of owner: StoredOwner, at stamp: Int64, in connection: Connection) throws -> CartRow? {
        let row: CartRow?
        switch owner {
        case .customer(let id): row = try connection.fetchOne(CartRow.self, "SELECT * FROM cart WHERE customer_id = ?", [id])
        case .guest(let hash): row = try connection.fetchOne(CartRow.self, "SELECT * FROM cart WHERE guest_hash = ?", [hash])
        }
        guard let row, row.expiresUs > stamp else { return nil }
        return row
    }

    /// The owner's cart, deleting it first when it has expired, so that a write starts a new one; for writes.
    static func liveCart(of owner: StoredOwner, at stamp: Int64, in connection: Connection) throws -> CartRow? {
        if let live = try cartRow(of: owner, at: stamp, in: connection) { return live }
        switch owner {
        case .customer(let id):
            try connection.execute("DELETE FROM cart_line WHERE cart_id IN (SELECT id FROM cart WHERE customer_id = ?)", [id])
            try connection.execute("DELETE FROM cart WHERE customer_id = ?", [id])
        case .guest(let hash):
            try connection.execute("DELETE FROM cart_line WHERE cart_id IN (SELECT id FROM cart WHERE guest_hash = ?)", [hash])
            try connection.execute("DELETE FROM cart WHERE guest_hash = ?", [hash])
        }
        return nil
    }

    /// A new, empty cart of `owner` at version 0.
    static func createCart(of owner: StoredOwner, at stamp: Int64, idleExpiry: Duration, in connection: Connection) throws -> CartRow {
        let id = RandomID.make(prefix: "cart_")
        var customer: String? = nil
        var guest: String? = nil
        switch owner {
        case .customer(let value): customer = value
        case .guest(let hash): guest = hash
        }
        try connection.execute(
            """
            INSERT INTO cart (id, customer_id, guest_hash, version, created_us, updated_us, expires_us) VALUES (?, ?, ?, 0, ?, ?, ?)
            """,
            [id, customer, guest, stamp, stamp, stamp + idleExpiry.clampedMicroseconds]
        )
        return try requireCart(id, in: connection)
    }

    /// Moves the cart to its next version, changed at `stamp`, and starts its idle expiry again.
    /// - Returns: The cart's row afterwards.
    static func touch(_ id: String, at stamp: Int64, idleExpiry: Duration, in connection: Connection) throws -> CartRow {
        try connection.execute(
            "UPDATE cart SET version = version + 1, updated_us = ?, expires_us = ? WHERE id = ?",
            [stamp, stamp + idleExpiry.clampedMicroseconds, id]
        )
        return try requireCart(id, in: connection)
    }

    /// A cart that must exist (written in this transaction).
    static func requireCart(_ id: String, in connection: Connection) throws -> CartRow {
        guard let row = try connection.fetchOne(CartRow.self, "SELECT * FROM cart WHERE id = ?", [id]) else {
            throw MissingRow(description: "cart \(id) was written in this transaction but cannot be read back")
        }
        return row
    }

    /// Deletes a cart and its lines.
    static func deleteCart(_ id: String, in connection: Connection) throws {
        try connection.execute("DELETE FROM cart_line WHERE cart_id = ?", [id])
        try connection.execute("DELETE FROM cart WHERE id = ?", [id])
    }

    // MARK: - Lines

    /// A cart's lines in the order they were first added.
    static func storedLines(of cart: String, in connection: Connection) throws -> [StoredLine] {
        try connection.fetchAll(StoredLine.self, "SELECT * FROM cart_line WHERE cart_id = ? ORDER BY position", [cart])
    }

    /// The cart's line of a product, or `nil`.
    static func line(of product: ProductID, in cart: String, _ connection: Connection) throws -> StoredLine? {
        try connection.fetchOne(StoredLine.self, "SELECT * FROM cart_line WHERE cart_id = ? AND product_id = ?", [cart, product.rawValue])
    }

    /// How many lines the cart has.
    static func lineCount(of cart: String, in connection: Connection) throws -> Int {
        try connection.scalar(Int.self, "SELECT count(*) FROM cart_line WHERE cart_id = ?", [cart]) ?? 0
    }

    /// Sets the quantity of an existing line.
    static func setQuantity(_ quantity: Int, of product: ProductID, in cart: String, _ connection: Connection) throws {
        try connection.execute("UPDATE cart_line SET quantity = ? WHERE cart_id = ? AND product_id = ?", [quantity, cart, product.rawValue])
    }

    /// Appends a line after the cart's last.
    static func appendLine(_ product: ProductID, quantity: Int, addedPrice: Money, to cart: String, _ connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO cart_line (cart_id, product_id, quantity, added_price_minor, added_currency, position)
            VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM cart_line WHERE cart_id = ?))
            """,
            [cart, product.rawValue, quantity, addedPrice.minorUnits, addedPrice.currency, cart]
        )
    }

    // MARK: - Products

    /// What the cart's copy says of a product, or `nil` when no event or call has told it yet.
    static func product(_ id: ProductID, in connection: Connection) throws -> StoredProduct? {
        try connection.fetchOne(StoredProduct.self, "SELECT * FROM product WHERE product_id = ?", [id.rawValue])
    }

    /// Keeps a product as the catalog describes it, unless the copy holds the same or a newer version: the one upsert
    /// of the catalog's events and of a product fetched on adding, so redelivered and stale events change nothing.
    static func keep(_ product: Product, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO product (product_id, name, price_minor, currency, active, version) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET
                name = excluded.name, price_minor = excluded.price_minor, currency = excluded.currency, active = excluded.active,
                version = excluded.version
            WHERE excluded.version > product.version
            """,
            [product.id.rawValue, product.name, product.price.minorUnits, product.price.currency, product.active, product.version]
        )
    }

    // MARK: - The cart as shown

    /// The owner's cart as the API shows it, priced for `country`: lines in the order they were first added, each
    /// at the price the copy of the catalog holds now and flagged from it (a changed price, off sale, short stock),
    /// with totals through ``CartAPI/Pricing``. An owner without a cart gets an empty one at version 0, with a fresh
    /// id that is not stored.
    static func cart(
        of owner: StoredOwner,
        row: CartRow?,
        country: String = Pricing.defaultCountry,
        in connection: Connection
    ) throws -> Cart {
        let member =
            try owner.customerId.map { try connection.queryFirst("SELECT 1 FROM membership WHERE customer_id = ?", [$0.rawValue]) != nil } ?? false
        var lines: [CartLine] = []
        if let row {
            lines = try connection.fetchAll(
                ShownLine.self,
                """
                SELECT l.product_id, l.quantity, l.added_price_minor, l.added_currency, p.name, p.price_minor, p.currency, p.active,
                    a.available
                FROM cart_line AS l
                LEFT JOIN product AS p ON p.product_id = l.product_id
                LEFT JOIN availability AS a ON a.product_id = l.product_id
                WHERE l.cart_id = ?
                ORDER BY l.position
                """,
                [row.id]
            ).map { try $0.line() }
        }
        let subtotal = try Money.sum(lines.map(\.lineTotal), currency: Pricing.currency)
        return Cart(
            id: CartID(rawValue: row?.id ?? RandomID.make(prefix: "cart_")),
            customerId: owner.customerId,
            lines: lines,
            totals: try Pricing.totals(subtotal: subtotal, country: country, member: member),
            country: country,
            member: member,
            version: row?.version ?? 0,
            updatedAt: row.map { date(microseconds: $0.updatedUs) },
            expiresAt: row.map { date(microseconds: $0.expiresUs) }
        )
    }
}

/// A `cart` row.
struct CartRow: RowDecodable, Sendable {
    let id: String
    let version: Int
    let updatedUs: Int64
    let expiresUs: Int64

    init(row: Row) throws {
        id = try row["id"]
        version = try row["version"]
        updatedUs = try row["updated_us"]
        expiresUs = try row["expires_us"]
    }
}

/// A `cart_line` row.
struct StoredLine: RowDecodable, Sendable {
    let productId: ProductID
    let quantity: Int
    let addedPrice: Money

    init(row: Row) throws {
        productId = ProductID(rawValue: try row["product_id"])
        quantity = try row["quantity"]
        addedPrice = Money(minorUnits: try row["added_price_minor"], currency: try row["added_currency"])
    }
}

/// A `product` row: what the catalog last said of a product.
struct StoredProduct: RowDecodable, Sendable {
    let name: String
    let price: Money
    let active: Bool

    init(row: Row) throws {
        name = try row["name"]
        price = Money(minorUnits: try row["price_minor"], currency: try row["currency"])
        active = try row["active"]
    }
}

/// A line joined with its product and availability: what a line shows.
struct ShownLine: RowDecodable {
    let stored: StoredLine
    let name: String?
    let price: Money?
    let active: Bool?
    let available: Int?

    init(row: Row) throws {
        stored = try StoredLine(row: row)
        name = try row["name"]
        let minor: Int64? = try row["price_minor"]
        let currency: String? = try row["currency"]
        price = minor.flatMap { minor in currency.map { Money(minorUnits: minor, currency: $0) } }
        active = try row["active"]
        available = try row["available"]
    }

    /// The line as the API shows it. A product the copy does not know (it always does: adding keeps it) shows its id
    /// and the price it was added at; one whose price is no longer in the shop's currency cannot be bought, so it
    /// shows as off sale at the price it was added at.
    func line() throws -> CartLine {
        let quantity = stored.quantity
        let current = price.flatMap { $0.currency == Pricing.currency ? $0 : nil }
        let unitPrice = current ?? stored.addedPrice
        return CartLine(
            productId: stored.productId,
            name: name ?? stored.productId.rawValue,
            quantity: quantity,
            unitPrice: unitPrice,
            lineTotal: try unitPrice * quantity,
            priceChangedFrom: unitPrice == stored.addedPrice ? nil : stored.addedPrice,
            offSale: active == false || (price != nil && current == nil),
            availableQuantity: available.flatMap { $0 < quantity ? max($0, 0) : nil }
        )
    }
}

/// A row that a transaction wrote and could not read back: a broken database.
struct MissingRow: Error, CustomStringConvertible {
    let description: String
}
