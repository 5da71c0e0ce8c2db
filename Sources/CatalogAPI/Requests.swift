public import Commerce
public import Foundation

/// A page request over the active products, in a stable order.
public struct ProductQuery: Codable, Sendable, Hashable {
    /// Only this category and its descendants.
    public var category: CategoryID?
    /// Lowest price in minor units, inclusive.
    public var minPrice: Int64?
    /// Highest price in minor units, inclusive.
    public var maxPrice: Int64?
    /// Where the previous page ended (``ProductPage/nextCursor``); `nil` or empty for the first page.
    public var cursor: String?
    /// Products per page, 1...100.
    public var limit: Int

    /// Creates a query.
    public init(category: CategoryID? = nil, minPrice: Int64? = nil, maxPrice: Int64? = nil, cursor: String? = nil, limit: Int = 20) {
        self.category = category
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.cursor = cursor
        self.limit = limit
    }
}

/// One page of products.
public struct ProductPage: Codable, Sendable, Hashable {
    /// The products, in identifier order.
    public var products: [Product]
    /// The cursor of the next page, `nil` on the last one.
    public var nextCursor: String?

    /// Creates a page.
    public init(products: [Product], nextCursor: String?) {
        self.products = products
        self.nextCursor = nextCursor
    }
}

/// A change to a product, made only if the product is still at `expectedVersion`.
public struct ProductUpdate: Codable, Sendable, Hashable {
    /// The product.
    public var id: ProductID
    /// The version the change was based on.
    public var expectedVersion: Int
    /// The new content.
    public var draft: ProductDraft

    /// Creates an update.
    public init(id: ProductID, expectedVersion: Int, draft: ProductDraft) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.draft = draft
    }
}

/// Takes a product off sale, optionally only if it is still at `expectedVersion`.
public struct ProductDeactivation: Codable, Sendable, Hashable {
    /// The product.
    public var id: ProductID
    /// The version the request was based on; `nil` deactivates whatever the version.
    public var expectedVersion: Int?

    /// Creates a deactivation.
    public init(id: ProductID, expectedVersion: Int? = nil) {
        self.id = id
        self.expectedVersion = expectedVersion
    }
}

/// A catalog document to import, in the seed format of `Fixtures/catalog/catalog.json`, as its JSON bytes.
public struct CatalogUpload: Codable, Sendable, Hashable {
    /// The document.
    public var json: Data

    /// Wraps a document's bytes.
    public init(json: Data) {
        self.json = json
    }
}

/// What an import did.
public struct CatalogImportReport: Codable, Sendable, Hashable {
    /// Categories created or renamed.
    public var categories: Int
    /// Products added.
    public var productsAdded: Int
    /// Products skipped because their SKU is already in the catalog.
    public var productsSkipped: Int

    /// Creates a report.
    public init(categories: Int, productsAdded: Int, productsSkipped: Int) {
        self.categories = categories
        self.productsAdded = productsAdded
        self.productsSkipped = productsSkipped
    }
}
