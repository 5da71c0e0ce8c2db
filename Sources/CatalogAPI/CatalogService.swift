public import Commerce
public import ServiceKit

/// The catalog: categories and products, read by everyone, changed by administrators.
public protocol CatalogService: Sendable {
    /// One product, active or not.
    /// - Throws: ``CatalogError/productNotFound(_:)``.
    func product(_ id: ProductID) async throws -> Product
    /// A page of active products.
    /// - Throws: ``CatalogError/invalid(_:field:)``, ``CatalogError/invalidCursor``, ``CatalogError/categoryNotFound(_:)``.
    func products(_ query: ProductQuery) async throws -> ProductPage
    /// Every category, parents before children.
    func categories() async throws -> [Category]
    /// Adds a product.
    /// - Throws: ``CatalogError/invalid(_:field:)``, ``CatalogError/duplicateSKU(_:)``, ``CatalogError/duplicateProductID(_:)``,
    ///   ``CatalogError/categoryNotFound(_:)``.
    func createProduct(_ draft: ProductDraft) async throws -> Product
    /// Changes a product if it is still at the expected version.
    /// - Throws: ``CatalogError/versionConflict(expected:actual:)`` and the errors of ``createProduct(_:)``.
    func updateProduct(_ update: ProductUpdate) async throws -> Product
    /// Takes a product off sale.
    /// - Throws: ``CatalogError/productNotFound(_:)``, ``CatalogError/versionConflict(expected:actual:)``.
    func deactivateProduct(_ deactivation: ProductDeactivation) async throws -> Product
    /// Imports a catalog document: categories are created or updated, products whose SKU is new are added, the
    /// rest skipped; all in one transaction, so importing the same document twice adds nothing.
    /// - Throws: ``CatalogError/invalid(_:)`` naming what is malformed or which product is invalid.
    func importCatalog(_ upload: CatalogUpload) async throws -> CatalogImportReport
}

/// The catalog's endpoints.
public enum CatalogEndpoints {
    /// ``CatalogService/product(_:)``.
    public static let product = Endpoint<ProductID, Product>("catalog.product", idempotent: true, failure: CatalogError.self)
    /// ``CatalogService/products(_:)``.
    public static let products = Endpoint<ProductQuery, ProductPage>("catalog.products", idempotent: true, failure: CatalogError.self)
    /// ``CatalogService/categories()``.
    public static let categories = Endpoint<NoInput, [Category]>("catalog.categories", idempotent: true, failure: CatalogError.self)
    /// ``CatalogService/createProduct(_:)``.
    public static let createProduct = Endpoint<ProductDraft, Product>("catalog.create-product", failure: CatalogError.self)
    /// ``CatalogService/updateProduct(_:)``.
    public static let updateProduct = Endpoint<ProductUpdate, Product>("catalog.update-product", failure: CatalogError.self)
    /// ``CatalogService/deactivateProduct(_:)``.
    public static let deactivateProduct = Endpoint<ProductDeactivation, Product>("catalog.deactivate-product", failure: CatalogError.self)
    /// ``CatalogService/importCatalog(_:)``: idempotent, since existing SKUs are skipped.
    public static let importCatalog = Endpoint<CatalogUpload, CatalogImportReport>(
        "catalog.import-catalog",
        idempotent: true,
        timeout: .seconds(300),
        failure: CatalogError.self
    )
}

/// The catalog as other modules and the gateway reach it: every method is a call through the pipeline.
public struct CatalogClient: CatalogService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) {
        self.client = client
    }

    public func product(_ id: ProductID) async throws -> Product { try await client.call(CatalogEndpoints.product, id) }
    public func products(_ query: ProductQuery) async throws -> ProductPage { try await client.call(CatalogEndpoints.products, query) }
    public func categories() async throws -> [Category] { try await client.call(CatalogEndpoints.categories, NoInput()) }
    public func createProduct(_ draft: ProductDraft) async throws -> Product { try await client.call(CatalogEndpoints.createProduct, draft) }
    public func updateProduct(_ update: ProductUpdate) async throws -> Product { try await client.call(CatalogEndpoints.updateProduct, update) }
    public func deactivateProduct(_ deactivation: ProductDeactivation) async throws -> Product {
        try await client.call(CatalogEndpoints.deactivateProduct, deactivation)
    }
    public func importCatalog(_ upload: CatalogUpload) async throws -> CatalogImportReport {
        try await client.call(CatalogEndpoints.importCatalog, upload)
    }
}

extension EndpointHandlers {
    /// Registers every catalog endpoint to be answered by `service`.
    public mutating func registerCatalog(_ service: some CatalogService) {
        register(CatalogEndpoints.product) { try await service.product($0) }
        register(CatalogEndpoints.products) { try await service.products($0) }
        register(CatalogEndpoints.categories) { _ in try await service.categories() }
        register(CatalogEndpoints.createProduct) { try await service.createProduct($0) }
        register(CatalogEndpoints.updateProduct) { try await service.updateProduct($0) }
        register(CatalogEndpoints.deactivateProduct) { try await service.deactivateProduct($0) }
        register(CatalogEndpoints.importCatalog) { try await service.importCatalog($0) }
    }
}
