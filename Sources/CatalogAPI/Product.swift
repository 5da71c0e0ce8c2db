public import Commerce

/// A product of the catalog.
public struct Product: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: ProductID
    /// The stock-keeping unit, unique in the catalog.
    public var sku: String
    /// The name shown in the store.
    public var name: String
    /// A few sentences about it.
    public var description: String
    /// Its price.
    public var price: Money
    /// Image paths, first one is the main image.
    public var images: [String]
    /// Facts such as material or colour.
    public var attributes: [String: String]
    /// The (leaf) category it belongs to.
    public var category: CategoryID
    /// Whether it is on sale; deactivated products stay readable by id.
    public var active: Bool
    /// Increases with every change; the gateway exposes it as the `ETag` for optimistic concurrency.
    public var version: Int

    /// Creates a product value.
    public init(
        id: ProductID,
        sku: String,
        name: String,
        description: String,
        price: Money,
        images: [String],
        attributes: [String: String],
        category: CategoryID,
        active: Bool,
        version: Int
    ) {
        self.id = id
        self.sku = sku
        self.name = name
        self.description = description
        self.price = price
        self.images = images
        self.attributes = attributes
        self.category = category
        self.active = active
        self.version = version
    }
}

/// What an administrator sends to create or change a product.
public struct ProductDraft: Codable, Sendable, Hashable {
    /// The highest price a product may have, in minor units: 100,000,000.00 in the currency. A cart's totals (50
    /// lines of up to 99 units) and their VAT are then far inside 64-bit minor units.
    public static let maximumPriceMinorUnits: Int64 = 10_000_000_000

    /// An identifier to use; a new one is made when `nil`.
    public var id: ProductID?
    /// The stock-keeping unit.
    public var sku: String
    /// The name.
    public var name: String
    /// The description.
    public var description: String
    /// The price.
    public var price: Money
    /// Image paths.
    public var images: [String]
    /// Attributes.
    public var attributes: [String: String]
    /// The category.
    public var category: CategoryID

    /// Creates a draft.
    public init(
        id: ProductID? = nil,
        sku: String,
        name: String,
        description: String,
        price: Money,
        images: [String] = [],
        attributes: [String: String] = [:],
        category: CategoryID
    ) {
        self.id = id
        self.sku = sku
        self.name = name
        self.description = description
        self.price = price
        self.images = images
        self.attributes = attributes
        self.category = category
    }

    private enum CodingKeys: String, CodingKey {
        case id, sku, name, description, price, images, attributes, category
    }

    /// Decodes a draft; `images` and `attributes` may be left out (empty).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(ProductID.self, forKey: .id)
        sku = try container.decode(String.self, forKey: .sku)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decode(String.self, forKey: .description)
        price = try container.decode(Money.self, forKey: .price)
        images = try container.decodeIfPresent([String].self, forKey: .images) ?? []
        attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        category = try container.decode(CategoryID.self, forKey: .category)
    }
}

/// A node of the category tree.
public struct Category: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: CategoryID
    /// Its name.
    public var name: String
    /// The parent category, `nil` at the top.
    public var parent: CategoryID?

    /// Creates a category value.
    public init(id: CategoryID, name: String, parent: CategoryID?) {
        self.id = id
        self.name = name
        self.parent = parent
    }
}
