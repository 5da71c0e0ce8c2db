public import CatalogAPI
import Commerce
public import Foundation
import Messaging
import ServiceKit
import Storage

/// A catalog document to import: the format of `Fixtures/catalog/catalog.json`.
///
/// ```json
/// {"currency": "EUR",
///  "categories": [{"id": "cookware", "name": "Cookware", "parent": "home-kitchen"}],
///  "products": [{"id": "p-00001", "sku": "CKW-00001", "name": "…", "description": "…", "price_minor": 11100,
///                "category": "cookware", "images": [], "attributes": {"wattage": 3000}, "active": true}]}
/// ```
/// Attribute values may be strings, numbers or booleans; they are stored as text. A product may name its own
/// `currency`, else the document's applies.
public struct CatalogDocument: Decodable, Sendable {
    /// One product of the document.
    public struct Item: Decodable, Sendable {
        var id: String?
        var sku: String
        var name: String
        var description: String
        var priceMinor: Int64
        var currency: String?
        var category: String
        var images: [String]?
        var attributes: [String: AttributeValue]?
        var active: Bool?

        enum CodingKeys: String, CodingKey {
            case id, sku, name, description, currency, category, images, attributes, active
            case priceMinor = "price_minor"
        }
    }

    /// An attribute value as the document writes it.
    struct AttributeValue: Decodable, Sendable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let integer = try? container.decode(Int64.self) {
                text = String(integer)
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else if let flag = try? container.decode(Bool.self) {
                text = String(flag)
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "an attribute is a string, number or boolean")
            }
        }
    }

    /// The currency of products that name none.
    public var currency: String
    /// The categories, in any order.
    public var categories: [Category]
    /// The products.
    public var products: [Item]

    /// Decodes a document.
    /// - Throws: ``CatalogError/invalid(_:field:)`` naming where the document is malformed.
    public init(json data: Data) throws {
        do {
            self = try JSONDecoder().decode(CatalogDocument.self, from: data)
        } catch let error as DecodingError {
            throw CatalogError.invalid("the catalog document is malformed: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "malformed"
        }
    }
}

extension SQLiteCatalogService {
    /// Imports a catalog document in one transaction: categories are created or updated, products whose SKU is not in
    /// the catalog yet are added (inactive ones stay inactive), each with its `catalog.product-created.v1`
    /// event in the outbox. Importing the same document again adds nothing, so seeding is safe to repeat.
    /// - Throws: ``CatalogError/invalid(_:field:)`` for an invalid product (naming its SKU),
    ///   ``CatalogError/categoryNotFound(_:)``; nothing is imported then.
    public func importCatalog(_ upload: CatalogUpload) async throws -> CatalogImportReport {
        try await importDocument(try CatalogDocument(json: upload.json))
    }

    /// Imports a parsed document; see ``importCatalog(_:)``.
    @discardableResult
    public func importDocument(_ document: CatalogDocument) async throws -> CatalogImportReport {
        let drafts = try document.products.map { item in
            let draft = ProductDraft(
                id: item.id.map(ProductID.init(rawValue:)),
                sku: item.sku,
                name: item.name,
                description: item.description,
                price: Money(minorUnits: item.priceMinor, currency: item.currency ?? document.currency),
                images: item.images ?? [],
                attributes: (item.attributes ?? [:]).mapValues(\.text),
                category: CategoryID(rawValue: item.category)
            )
            do {
                try Self.validate(draft)
            } catch CatalogError.invalid(let reason, let field) {
                // The draft's field, named as the document writes it.
                let member = field.map { ["price.minorUnits": "price_minor", "price.currency": "currency"][$0] ?? $0 }
                throw CatalogError.invalid("product \(item.sku): \(member.map { "\($0) " } ?? "")\(reason)")
            }
            return (draft, item.active ?? true)
        }
        let categories = Self.parentsFirst(document.categories)
        let outbox = outbox
        return try await database.write { connection in
            for category in categories { try Self.upsert(category, in: connection) }
            var report = CatalogImportReport(categories: categories.count, productsAdded: 0, productsSkipped: 0)
            for (draft, active) in drafts {
                if try connection.queryFirst("SELECT 1 FROM product WHERE sku = ?", [draft.sku]) != nil {
                    report.productsSkipped += 1
                    continue
                }
                try Self.insert(Self.newProduct(draft, active: active), outbox: outbox, in: connection)
                report.productsAdded += 1
            }
            return report
        }
    }

    /// Orders categories so that every parent in the list comes before its children.
    static func parentsFirst(_ categories: [Category]) -> [Category] {
        var remaining = categories
        var placed = Set<CategoryID>()
        var ordered: [Category] = []
        let listed = Set(categories.map(\.id))
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.parent.map { !listed.contains($0) || placed.contains($0) } ?? true }
            // A cycle: keep the order given and let the parent check report it.
            guard !ready.isEmpty else { return ordered + remaining }
            ordered += ready
            placed.formUnion(ready.map(\.id))
            remaining.removeAll { placed.contains($0.id) }
        }
        return ordered
    }
}
