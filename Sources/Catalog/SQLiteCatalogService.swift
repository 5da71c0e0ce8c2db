public import CatalogAPI
public import Commerce
import Foundation
public import Messaging
public import ServiceKit
public import Storage

/// The catalog over its own SQLite database; every change commits together with its event in the outbox.
public struct SQLiteCatalogService: CatalogService {
    /// The catalog's database.
    public let database: Database
    /// The catalog's outbox, for the relay to publish.
    public let outbox: Outbox
    static let source = "/emporium/catalog"

    /// The catalog over `database`, migrated with ``Module/catalog``'s migrations, writing its events to `outbox`.
    public init(database: Database, outbox: Outbox) {
        self.database = database
        self.outbox = outbox
    }

    // MARK: - Reading

    public func product(_ id: ProductID) async throws -> Product {
        let found = try await database.read { try $0.fetchOne(ProductRow.self, "SELECT * FROM product WHERE id = ?", [id.rawValue]) }
        guard let found else { throw CatalogError.productNotFound(id) }
        return found.product
    }

    public func products(_ query: ProductQuery) async throws -> ProductPage {
        guard (1...100).contains(query.limit) else { throw CatalogError.invalid("must be between 1 and 100", field: "limit") }
        if let low = query.minPrice, let high = query.maxPrice, low > high {
            throw CatalogError.invalid("is above maxPrice", field: "minPrice")
        }
        let after: String
        // An empty cursor is no cursor: `?cursor=` is how a form or a client with nothing to continue asks for
        // the first page.
        if let cursor = query.cursor, !cursor.isEmpty {
            guard let decoded = Self.decodeCursor(cursor) else { throw CatalogError.invalidCursor }
            after = decoded
        } else {
            after = ""
        }
        return try await database.read { connection in
            if let category = query.category {
                guard try connection.queryFirst("SELECT 1 FROM category WHERE id = ?", [category.rawValue]) != nil else {
                    throw CatalogError.categoryNotFound(category)
                }
            }
            // One more than a page tells whether another page follows.
            let rows = try connection.fetchAll(
                ProductRow.self,
                """
                WITH RECURSIVE scope(id) AS (
                    SELECT id FROM category WHERE :category IS NULL OR id = :category
                    UNION SELECT category.id FROM category JOIN scope ON category.parent = scope.id
                )
                SELECT * FROM product
                WHERE active = 1 AND id > :after AND category IN (SELECT id FROM scope)
                    AND (:min IS NULL OR price_minor >= :min) AND (:max IS NULL OR price_minor <= :max)
                ORDER BY id LIMIT :limit
                """,
                [
                    "category": query.category?.rawValue, "after": after, "min": query.minPrice, "max": query.maxPrice,
                    "limit": query.limit + 1,
                ]
            )
            let page = rows.prefix(query.limit).map(\.product)
            let next = rows.count > query.limit ? page.last.map { Self.encodeCursor($0.id.rawValue) } : nil
            return ProductPage(products: page, nextCursor: next)
        }
    }

    public func categories() async throws -> [Category] {
        try await database.read { connection in
            let all = try connection.query("SELECT id, name, parent FROM category ORDER BY id").map { row in
                Category(
                    id: CategoryID(rawValue: try row["id"]),
                    name: try row["name"],
                    parent: (try row["parent"] as String?).map { CategoryID(rawValue: $0) }
                )
            }
            // Parents before children, so a client can build the tree in one pass.
            var ordered: [Category] = []
            var placed: Set<CategoryID> = []
            var remaining = all
            while !remaining.isEmpty {
                let ready = remaining.filter { $0.parent.map(placed.contains) ?? true }
                guard !ready.isEmpty else { break }
                ordered += ready
                placed.formUnion(ready.map(\.id))
                remaining.removeAll { placed.contains($0.id) }
            }
            return ordered + remaining
        }
    }

    // MARK: - Changing

    /// Adds a category (for seeding and administration).
    /// - Throws: ``CatalogError/categoryNotFound(_:)`` for an unknown parent, ``CatalogError/invalid(_:field:)``.
    public func addCategory(_ category: Category) async throws {
        try await database.write { try Self.upsert(category, in: $0) }
    }

    /// Creates or renames a category; its parent must exist.
    static func upsert(_ category: Category, in connection: Connection) throws {
        guard !category.name.isEmpty, !category.id.rawValue.isEmpty else { throw CatalogError.invalid("a category needs an id and a name") }
        if let parent = category.parent { try requireCategory(parent, in: connection) }
        try connection.execute(
            "INSERT INTO category (id, name, parent) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent = excluded.parent",
            [category.id.rawValue, category.name, category.parent?.rawValue]
        )
    }

    public func createProduct(_ draft: ProductDraft) async throws -> Product {
        try Self.validate(draft)
        let product = Self.newProduct(draft, active: true)
        let outbox = outbox
        try await database.write { connection in
            try Self.requireUniqueSKU(draft.sku, except: nil, in: connection)
            guard try connection.queryFirst("SELECT 1 FROM product WHERE id = ?", [product.id.rawValue]) == nil else {
                throw CatalogError.duplicateProductID(product.id)
            }
            try Self.insert(product, outbox: outbox, in: connection)
        }
        return product
    }

    /// The first version of a product from its draft, with a new id unless the draft names one.
    static func newProduct(_ draft: ProductDraft, active: Bool) -> Product {
        Product(
            id: draft.id ?? ProductID(rawValue: "p-" + EventID.make()),
            sku: draft.sku,
            name: draft.name,
            description: draft.description,
            price: draft.price,
            images: draft.images,
            attributes: draft.attributes,
            category: draft.category,
            active: active,
            version: 1
        )
    }

    /// Inserts a new product and its `catalog.product-created.v1` event; its category must exist.
    static func insert(_ product: Product, outbox: Outbox, in connection: Connection) throws {
        try requireCategory(product.category, in: connection)
        try connection.execute(
            """
            INSERT INTO product (id, sku, name, description, price_minor, currency, images, attributes, category, active, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                product.id.rawValue, product.sku, product.name, product.description, product.price.minorUnits, product.price.currency,
                try json(product.images), try json(product.attributes), product.category.rawValue, product.active, product.version,
            ]
        )
        try outbox.enqueue(Envelope(ProductCreated(product: product), source: source, subject: product.id.rawValue), in: connection)
    }

    public func updateProduct(_ update: ProductUpdate) async throws -> Product {
        try Self.validate(update.draft)
        let outbox = outbox
        return try await database.write { connection in
            var product = try Self.current(update.id, expectedVersion: update.expectedVersion, in: connection)
            try Self.requireCategory(update.draft.category, in: connection)
            try Self.requireUniqueSKU(update.draft.sku, except: update.id, in: connection)
            product.sku = update.draft.sku
            product.name = update.draft.name
            product.description = update.draft.description
            product.price = update.draft.price
            product.images = update.draft.images
            product.attributes = update.draft.attributes
            product.category = update.draft.category
            product.version += 1
            try connection.execute(
                """
                UPDATE product SET sku = ?, name = ?, description = ?, price_minor = ?, currency = ?, images = ?, attributes = ?,
                    category = ?, version = ? WHERE id = ?
                """,
                [
                    product.sku, product.name, product.description, product.price.minorUnits, product.price.currency,
                    try Self.json(product.images), try Self.json(product.attributes), product.category.rawValue, product.version,
                    product.id.rawValue,
                ]
            )
            try outbox.enqueue(Envelope(ProductUpdated(product: product), source: Self.source, subject: product.id.rawValue), in: connection)
            return product
        }
    }

    public func deactivateProduct(_ deactivation: ProductDeactivation) async throws -> Product {
        let outbox = outbox
        return try await database.write { connection in
            var product = try Self.current(deactivation.id, expectedVersion: deactivation.expectedVersion, in: connection)
            // Deactivating an inactive product changes nothing and publishes nothing.
            guard product.active else { return product }
            product.active = false
            product.version += 1
            try connection.execute("UPDATE product SET active = 0, version = ? WHERE id = ?", [product.version, product.id.rawValue])
            try outbox.enqueue(Envelope(ProductDeactivated(product: product), source: Self.source, subject: product.id.rawValue), in: connection)
            return product
        }
    }

    // MARK: - Helpers

    static func validate(_ draft: ProductDraft) throws {
        if draft.name.trimmingCharacters(in: .whitespaces).isEmpty { throw CatalogError.invalid("must not be empty", field: "name") }
        if draft.sku.isEmpty || draft.sku.count > 64 { throw CatalogError.invalid("must have 1 to 64 characters", field: "sku") }
        if draft.price.minorUnits < 0 { throw CatalogError.invalid("cannot be negative", field: "price.minorUnits") }
        if draft.price.minorUnits > ProductDraft.maximumPriceMinorUnits {
            throw CatalogError.invalid("must be at most \(ProductDraft.maximumPriceMinorUnits)", field: "price.minorUnits")
        }
        if !draft.price.hasValidCurrency { throw CatalogError.invalid("must be an ISO 4217 code such as EUR", field: "price.currency") }
        if let id = draft.id, id.rawValue.isEmpty { throw CatalogError.invalid("cannot be empty", field: "id") }
    }

    private static func current(_ id: ProductID, expectedVersion: Int?, in connection: Connection) throws -> Product {
        guard let row = try connection.fetchOne(ProductRow.self, "SELECT * FROM product WHERE id = ?", [id.rawValue]) else {
            throw CatalogError.productNotFound(id)
        }
        if let expectedVersion, expectedVersion != row.product.version {
            throw CatalogError.versionConflict(expected: expectedVersion, actual: row.product.version)
        }
        return row.product
    }

    static func requireCategory(_ id: CategoryID, in connection: Connection) throws {
        guard try connection.queryFirst("SELECT 1 FROM category WHERE id = ?", [id.rawValue]) != nil else {
            throw CatalogError.categoryNotFound(id)
        }
    }

    static func requireUniqueSKU(_ sku: String, except id: ProductID?, in connection: Connection) throws {
        let owner = try connection.scalar(String.self, "SELECT id FROM product WHERE sku = ?", [sku])
        if let owner, owner != id?.rawValue { throw CatalogError.duplicateSKU(sku) }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func encodeCursor(_ lastID: String) -> String {
        Data(("after:" + lastID).utf8).base64EncodedString()
    }

    static func decodeCursor(_ cursor: String) -> String? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("after:") else { return nil }
        return String(text.dropFirst("after:".count))
    }
}

/// A `product` row.
private struct ProductRow: RowDecodable {
    let product: Product

    init(row: Row) throws {
        let images: String = try row["images"]
        let attributes: String = try row["attributes"]
        product = Product(
            id: ProductID(rawValue: try row["id"]),
            sku: try row["sku"],
            name: try row["name"],
            description: try row["description"],
            price: Money(minorUnits: try row["price_minor"], currency: try row["currency"]),
            images: try JSONDecoder().decode([String].self, from: Data(images.utf8)),
            attributes: try JSONDecoder().decode([String: String].self, from: Data(attributes.utf8)),
            category: CategoryID(rawValue: try row["category"]),
            active: try row["active"],
            version: try row["version"]
        )
    }
}
