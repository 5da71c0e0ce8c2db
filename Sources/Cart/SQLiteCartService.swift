public import CartAPI
public import CatalogAPI
import Commerce
public import Foundation
public import Messaging
import ModuleKit
public import ServiceKit
public import Storage
public import Telemetry

/// Carts over their own SQLite database: each change in one write transaction that checks and moves the cart's
/// version; lines priced and flagged from the cart's copy of catalog, stock and membership facts, kept from events.
///
/// Reading a cart never calls another service. Adding a product the copy does not know yet (its catalog event has not
/// arrived) asks the catalog once and keeps the answer through the events' own upsert. Every addition writes
/// `cart.item-added.v1` to the cart's outbox in its transaction.
public struct SQLiteCartService: CartService {
    /// What the service is run with.
    public struct Configuration: Sendable {
        /// How long a cart is kept after its last change: 30 days.
        public var idleExpiry: Duration

        /// Creates a configuration.
        public init(idleExpiry: Duration = .seconds(2_592_000)) {
            self.idleExpiry = idleExpiry
        }
    }

    /// The most units one line holds.
    public static let maximumLineQuantity = 99
    /// The most lines (different products) one cart holds.
    public static let maximumLines = 50
    /// The source of the cart's events.
    static let source = "/emporium/cart"

    /// The cart's database.
    public let database: Database
    /// Where its events go, in the transaction of the change they report.
    let outbox: Outbox
    let catalog: any CatalogService
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date
    /// Asks for the database log to be truncated once an erasure has committed.
    let erasures: ErasureLogTruncator.Requests

    /// Carts over `database`, migrated with ``ModuleKit/Module/cart``'s migrations. An erasure truncates the
    /// database's log through ``erasureLogTruncator``, which must run beside it (``ModuleKit/Module/cart`` runs it).
    /// - Parameters:
    ///   - database: Its database.
    ///   - outbox: Its outbox, over `database`.
    ///   - catalog: The catalog, asked only for a product added before its catalog event arrived.
    ///   - configuration: Expiry.
    ///   - logger: Where expiry and erasure problems go.
    ///   - now: The wall clock, for timestamps and expiry.
    public init(
        database: Database,
        outbox: Outbox,
        catalog: any CatalogService,
        configuration: Configuration = Configuration(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.outbox = outbox
        self.catalog = catalog
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.erasures = ErasureLogTruncator.Requests()
    }

    /// The background service that truncates the database's log after each erasure has committed; run one only.
    public var erasureLogTruncator: some Service {
        ErasureLogTruncator(module: "cart", database: database, requests: erasures, logger: logger)
    }

    // MARK: - Reading

    public func cart(_ query: CartQuery) async throws -> Cart {
        let owner = try StoredOwner(query.owner)
        let country = try Self.country(query.country)
        let stamp = Self.microseconds(now())
        return try await database.read { connection in
            try Self.cart(of: owner, row: Self.cartRow(of: owner, at: stamp, in: connection), country: country, in: connection)
        }
    }

    // MARK: - Changing

    public func addItem(_ addition: CartItemAddition) async throws -> Cart {
        let owner = try StoredOwner(addition.owner)
        let limit = Self.maximumLineQuantity
        guard (1...limit).contains(addition.quantity) else {
            throw CartError.invalid("the quantity to add must be from 1 to \(limit)", field: "quantity")
        }
        let productId = addition.productId
        guard !productId.rawValue.isEmpty else { throw CartError.productNotFound(productId) }
        try await learnProduct(productId)
        let outbox = outbox
        return try await change(owner, expectedVersion: addition.expectedVersion) { connection, cart, stamp in
            guard let product = try Self.product(productId, in: connection) else { throw CartError.productNotFound(productId) }
            guard product.active else { throw CartError.productOffSale(productId) }
            guard product.price.currency == Pricing.currency else {
                throw CartError.invalid("product \(productId.rawValue) is not priced in \(Pricing.currency)", field: "productId")
            }
            if let line = try Self.line(of: productId, in: cart, connection) {
                guard line.quantity + addition.quantity <= limit else {
                    throw CartError.invalid("a line holds at most \(limit) units", field: "quantity")
                }
                try Self.setQuantity(line.quantity + addition.quantity, of: productId, in: cart, connection)
            } else {
                guard try Self.lineCount(of: cart, in: connection) < Self.maximumLines else {
                    throw CartError.tooManyLines(limit: Self.maximumLines)
                }
                try Self.appendLine(productId, quantity: addition.quantity, addedPrice: product.price, to: cart, connection)
            }
            let added = CartItemAdded(
                productId: productId,
                quantity: addition.quantity,
                customerId: owner.customerId,
                at: Self.date(microseconds: stamp)
            )
            try outbox.enqueue(Envelope(added, source: Self.source, subject: cart), in: connection)
        }
    }

    public func updateItem(_ update: CartItemUpdate) async throws -> Cart {
        let owner = try StoredOwner(update.owner)
        let limit = Self.maximumLineQuantity
        guard (0...limit).contains(update.quantity) else {
            throw CartError.invalid("the quantity must be from 0 (to remove the line) to \(limit)", field: "quantity")
        }
        let productId = update.productId
        return try await change(owner, expectedVersion: update.expectedVersion) { connection, cart, _ in
            guard try Self.line(of: productId, in: cart, connection) != nil else { throw CartError.lineNotFound(productId) }
            if update.quantity == 0 {
                try connection.execute("DELETE FROM cart_line WHERE cart_id = ? AND product_id = ?", [cart, productId.rawValue])
            } else {
                try Self.setQuantity(update.quantity, of: productId, in: cart, connection)
            }
        }
    }

    /// Moves the guest's lines into the customer's cart, in the guest cart's order: a product both carts hold gets
    /// the two quantities added, at most 99; a product only the guest cart holds is appended with the price it was
    /// added at, while the customer's cart has fewer than 50 lines: **a guest's line that would be the customer's 51st is
    /// dropped**. The guest cart is deleted and the customer's version moves on. Without a guest cart for the token
    /// (merged already, expired, or never written) the customer's cart is returned unchanged.
    public func merge(_ merge: CartMerge) async throws -> Cart {
        let customer = try StoredOwner.customer(merge.customerId, field: "customerId")
        let guest = try StoredOwner.guest(merge.guestToken, field: "guestToken")
        let stamp = Self.microseconds(now())
        let expiry = configuration.idleExpiry
        return try await database.write { connection in
            guard let guestCart = try Self.liveCart(of: guest, at: stamp, in: connection) else {
                return try Self.cart(of: customer, row: Self.liveCart(of: customer, at: stamp, in: connection), in: connection)
            }
            let target =
                try Self.liveCart(of: customer, at: stamp, in: connection)
                ?? Self.createCart(of: customer, at: stamp, idleExpiry: expiry, in: connection)
            var held = Dictionary(uniqueKeysWithValues: try Self.storedLines(of: target.id, in: connection).map { ($0.productId, $0.quantity) })
            for line in try Self.storedLines(of: guestCart.id, in: connection) {
                if let quantity = held[line.productId] {
                    let merged = min(quantity + line.quantity, Self.maximumLineQuantity)
                    try Self.setQuantity(merged, of: line.productId, in: target.id, connection)
                    held[line.productId] = merged
                } else if held.count < Self.maximumLines {
                    try Self.appendLine(line.productId, quantity: line.quantity, addedPrice: line.addedPrice, to: target.id, connection)
                    held[line.productId] = line.quantity
                }
            }
            try Self.deleteCart(guestCart.id, in: connection)
            let row = try Self.touch(target.id, at: stamp, idleExpiry: expiry, in: connection)
            return try Self.cart(of: customer, row: row, in: connection)
        }
    }

    /// Takes the order's units out of the customer's cart, once per order id: the order is recorded in the same
    /// transaction, and a second call returns the cart as it is. The version moves on only when a line changed.
    public func checkOut(_ checkout: CartCheckout) async throws -> Cart {
        let customer = try StoredOwner.customer(checkout.customerId, field: "customerId")
        guard !checkout.orderId.rawValue.isEmpty else { throw CartError.invalid("the order id is empty", field: "orderId") }
        var bought: [ProductID: Int] = [:]
        for line in checkout.lines {
            guard line.quantity >= 1 else { throw CartError.invalid("every line's quantity must be at least 1", field: "lines") }
            bought[line.productId, default: 0] += line.quantity
        }
        let stamp = Self.microseconds(now())
        let expiry = configuration.idleExpiry
        let order = checkout.orderId.rawValue
        let taken = bought
        return try await database.write { connection in
            try connection.execute("INSERT INTO applied_order (order_id, applied_us) VALUES (?, ?) ON CONFLICT DO NOTHING", [order, stamp])
            let firstTime = connection.changes == 1
            let existing = try Self.liveCart(of: customer, at: stamp, in: connection)
            guard firstTime, let row = existing else { return try Self.cart(of: customer, row: existing, in: connection) }
            var changed = false
            for line in try Self.storedLines(of: row.id, in: connection) {
                guard let quantity = taken[line.productId] else { continue }
                changed = true
                if quantity >= line.quantity {
                    try connection.execute("DELETE FROM cart_line WHERE cart_id = ? AND product_id = ?", [row.id, line.productId.rawValue])
                } else {
                    try Self.setQuantity(line.quantity - quantity, of: line.productId, in: row.id, connection)
                }
            }
            let current = changed ? try Self.touch(row.id, at: stamp, idleExpiry: expiry, in: connection) : row
            return try Self.cart(of: customer, row: current, in: connection)
        }
    }

    /// Runs `body` on the owner's cart (its id, and the change's time in microseconds) in one write transaction, creating
    /// the cart when there is none, then moves the cart to its next version and starts its idle expiry again. Refused with
    /// ``CartAPI/CartError/versionConflict(expected:actual:)`` when `expectedVersion` is not the cart's version (0 for
    /// a cart never written); when `body` throws, nothing is kept, a cart created for it neither.
    /// - Returns: The cart afterwards, priced for ``CartAPI/Pricing/defaultCountry``.
    private func change(
        _ owner: StoredOwner,
        expectedVersion: Int?,
        _ body: @escaping @Sendable (Connection, _ cart: String, _ stamp: Int64) throws -> Void
    ) async throws -> Cart {
        let stamp = Self.microseconds(now())
        let expiry = configuration.idleExpiry
        return try await database.write { connection in
            let existing = try Self.liveCart(of: owner, at: stamp, in: connection)
            let actual = existing?.version ?? 0
            if let expected = expectedVersion, expected != actual { throw CartError.versionConflict(expected: expected, actual: actual) }
            let id = try (existing ?? Self.createCart(of: owner, at: stamp, idleExpiry: expiry, in: connection)).id
            try body(connection, id, stamp)
            return try Self.cart(of: owner, row: Self.touch(id, at: stamp, idleExpiry: expiry, in: connection), in: connection)
        }
    }

    /// Makes sure the cart's copy knows the product: asks the catalog when it does not, and keeps the answer through
    /// the catalog events' upsert, so a later event and this answer settle on the newer version.
    /// - Throws: ``CartAPI/CartError/productNotFound(_:)`` when the catalog has no such product.
    func learnProduct(_ id: ProductID) async throws {
        guard try await database.read({ try Self.product(id, in: $0) }) == nil else { return }
        let product: Product
        do {
            product = try await catalog.product(id)
        } catch CatalogError.productNotFound {
            throw CartError.productNotFound(id)
        }
        try await database.write { connection in try Self.keep(product, in: connection) }
    }

    // MARK: - Expiry

    /// Deletes, with their lines, at most `limit` carts whose idle expiry has passed.
    /// - Returns: How many were deleted.
    /// - Throws: ``Storage/StorageError``.
    @discardableResult
    public func expireIdleCarts(limit: Int = 500) async throws -> Int {
        let stamp = Self.microseconds(now())
        return try await database.write { connection in
            let expired = try connection.query("SELECT id FROM cart WHERE expires_us <= ? ORDER BY expires_us LIMIT ?", [stamp, limit])
                .map { row -> String in try row["id"] }
            for id in expired { try Self.deleteCart(id, in: connection) }
            return expired.count
        }
    }

    /// One pass of the sweeper: every expired cart goes, 500 at a time.
    func sweep() async {
        do {
            var deleted = 0
            while true {
                let count = try await expireIdleCarts(limit: 500)
                deleted += count
                if count < 500 { break }
            }
            if deleted > 0 { logger.debug("idle carts expired", metadata: ["carts": "\(deleted)"]) }
        } catch {
            logger.error("expiring idle carts failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Values

    /// The destination `text` names, upper-cased; ``CartAPI/Pricing/defaultCountry`` when `nil`.
    /// - Throws: ``CartAPI/CartError/invalid(_:field:)`` unless it is two ASCII letters.
    static func country(_ text: String?) throws(CartError) -> String {
        guard let text else { return Pricing.defaultCountry }
        let letters = text.utf8.allSatisfy { (65...90).contains($0) || (97...122).contains($0) }
        guard text.utf8.count == 2, letters else {
            throw CartError.invalid("the country must be a two-letter ISO 3166-1 code such as DE", field: "country")
        }
        return text.uppercased()
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
