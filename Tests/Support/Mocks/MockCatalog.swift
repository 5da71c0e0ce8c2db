public import CatalogAPI
public import Commerce
public import ServiceKit

/// The catalog's API answered by closures; each method the test does not set records a test issue when
/// called.
public struct MockCatalog: CatalogService {
    public var onProduct: @Sendable (ProductID) async throws -> Product = unexpected("CatalogService.product")
    public var onProducts: @Sendable (ProductQuery) async throws -> ProductPage = unexpected("CatalogService.products")
    public var onCategories: @Sendable (NoInput) async throws -> [Category] = unexpected("CatalogService.categories")
    public var onCreateProduct: @Sendable (ProductDraft) async throws -> Product = unexpected("CatalogService.createProduct")
    public var onUpdateProduct: @Sendable (ProductUpdate) async throws -> Product = unexpected("CatalogService.updateProduct")
    public var onDeactivateProduct: @Sendable (ProductDeactivation) async throws -> Product = unexpected("CatalogService.deactivateProduct")
    public var onImportCatalog: @Sendable (CatalogUpload) async throws -> CatalogImportReport = unexpected("CatalogService.importCatalog")

    /// A catalog expecting no calls.
    public init() {}

    /// A catalog that lists `products` (active or not), a page at a time, and expects nothing else.
    public static func listing(_ products: [Product]) -> MockCatalog {
        var catalog = MockCatalog()
        catalog.onProducts = { query in
            let start = query.cursor.flatMap(Int.init) ?? 0
            let page = Array(products.dropFirst(start).prefix(query.limit))
            let next = start + page.count < products.count ? String(start + page.count) : nil
            return ProductPage(products: page, nextCursor: next)
        }
        return catalog
    }

    public func product(_ id: ProductID) async throws -> Product { try await onProduct(id) }
    public func products(_ query: ProductQuery) async throws -> ProductPage { try await onProducts(query) }
    public func categories() async throws -> [Category] { try await onCategories(NoInput()) }
    public func createProduct(_ draft: ProductDraft) async throws -> Product { try await onCreateProduct(draft) }
    public func updateProduct(_ update: ProductUpdate) async throws -> Product { try await onUpdateProduct(update) }
    public func deactivateProduct(_ deactivation: ProductDeactivation) async throws -> Product { try await onDeactivateProduct(deactivation) }
    public func importCatalog(_ upload: CatalogUpload) async throws -> CatalogImportReport { try await onImportCatalog(upload) }

    /// The mock as the `catalog` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerCatalog(self)
        return MockService(name: "catalog", handlers: handlers)
    }
}
