import Catalog
import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import ServiceKit
import Storage
import TestSupport
import Testing

/// The catalog's service alone: its own database (migrated as the module's), its outbox, and every call through
/// the serialized transport.
struct CatalogFixture {
    let directory: TemporaryDirectory
    let service: SQLiteCatalogService
    let catalog: CatalogClient

    init() async throws {
        directory = try TemporaryDirectory()
        let database = try Database(path: directory.path("catalog.sqlite"))
        try Module.catalog.migrate(database)
        service = SQLiteCatalogService(database: database, outbox: Outbox(database: database, name: "catalog"))
        var handlers = EndpointHandlers()
        handlers.registerCatalog(service)
        let registry = ServiceRegistry()
        registry.register(ServiceInstance(service: "catalog", id: "catalog-1", version: "test", address: .inProcess(handlers)))
        catalog = CatalogClient(client: ServiceClient(registry: registry, transport: InProcessTransport(mode: .serialized)))
        for category in [
            Category(id: "home", name: "Home", parent: nil),
            Category(id: "lighting", name: "Lighting", parent: "home"),
            Category(id: "lamps", name: "Lamps", parent: "lighting"),
            Category(id: "garden", name: "Garden", parent: nil),
        ] {
            try await service.addCategory(category)
        }
    }

    func draft(_ number: Int, category: CategoryID = "lamps", price: Int64 = 1999) -> ProductDraft {
        ProductDraft(
            id: ProductID(rawValue: String(format: "p-%05d", number)),
            sku: String(format: "SKU-%05d", number),
            name: "Lamp \(number)",
            description: "An oak lamp",
            price: Money(minorUnits: price, currency: "EUR"),
            images: ["/images/\(number).jpg"],
            attributes: ["material": "oak"],
            category: category
        )
    }

    /// The events in the outbox, oldest first.
    func events() async throws -> [(type: String, subject: String?)] {
        try await service.database.read { connection in
            try connection.query("SELECT type, subject FROM outbox ORDER BY seq").map { (try $0["type"] as String, try $0["subject"] as String?) }
        }
    }
}

@Suite struct CatalogTests {
    @Test func aCreatedProductCanBeReadAndItsEventIsInTheOutbox() async throws {
        let fixture = try await CatalogFixture()
        let created = try await fixture.catalog.createProduct(fixture.draft(1))
        #expect(created.version == 1)
        #expect(created.active)
        #expect(try await fixture.catalog.product("p-00001") == created)
        let events = try await fixture.events()
        #expect(events.map(\.type) == [ProductCreated.eventType])
        #expect(events.first?.subject == "p-00001")
    }

    @Test func badProductsGetTypedErrorsAcrossTheWire() async throws {
        let fixture = try await CatalogFixture()
        _ = try await fixture.catalog.createProduct(fixture.draft(1))
        var sameSKU = fixture.draft(2)
        sameSKU.sku = "SKU-00001"
        await #expect(throws: CatalogError.duplicateSKU("SKU-00001")) { try await fixture.catalog.createProduct(sameSKU) }
        let first = try await fixture.catalog.createProduct(fixture.draft(4))
        var sameID = fixture.draft(5)
        sameID.id = first.id
        await #expect(throws: CatalogError.duplicateProductID(first.id)) { try await fixture.catalog.createProduct(sameID) }
        await #expect(throws: CatalogError.categoryNotFound("nowhere")) {
            try await fixture.catalog.createProduct(fixture.draft(3, category: "nowhere"))
        }
        await #expect(throws: CatalogError.invalid("cannot be negative", field: "price.minorUnits")) {
            try await fixture.catalog.createProduct(fixture.draft(4, price: -1))
        }
        // A price no cart could total: refused, as the largest one the catalog takes is not.
        await #expect(throws: CatalogError.invalid("must be at most 10000000000", field: "price.minorUnits")) {
            try await fixture.catalog.createProduct(fixture.draft(4, price: .max))
        }
        await #expect(throws: CatalogError.invalid("must be at most 10000000000", field: "price.minorUnits")) {
            try await fixture.catalog.updateProduct(ProductUpdate(id: first.id, expectedVersion: 1, draft: fixture.draft(4, price: 10_000_000_001)))
        }
        var badCurrency = fixture.draft(5)
        badCurrency.price = Money(minorUnits: badCurrency.price.minorUnits, currency: "euro")
        await #expect(throws: CatalogError.invalid("must be an ISO 4217 code such as EUR", field: "price.currency")) {
            try await fixture.catalog.createProduct(badCurrency)
        }
        await #expect(throws: CatalogError.productNotFound("p-99999")) { try await fixture.catalog.product("p-99999") }
        let priciest = try await fixture.catalog.createProduct(fixture.draft(6, price: ProductDraft.maximumPriceMinorUnits))
        #expect(priciest.price.minorUnits == 10_000_000_000)
        // Nothing of the refused attempts was stored or announced: the three products made, three events.
        #expect(try await fixture.events().count == 3)
    }

    @Test func updatesNeedTheCurrentVersion() async throws {
        let fixture = try await CatalogFixture()
        let created = try await fixture.catalog.createProduct(fixture.draft(1))
        var change = fixture.draft(1, price: 2499)
        change.name = "Oak Lamp, large"
        let updated = try await fixture.catalog.updateProduct(ProductUpdate(id: created.id, expectedVersion: 1, draft: change))
        #expect(updated.version == 2)
        #expect(updated.price.minorUnits == 2499)
        #expect(updated.name == "Oak Lamp, large")
        // A second writer that read version 1 loses.
        await #expect(throws: CatalogError.versionConflict(expected: 1, actual: 2)) {
            try await fixture.catalog.updateProduct(ProductUpdate(id: created.id, expectedVersion: 1, draft: fixture.draft(1)))
        }
        #expect(try await fixture.catalog.product(created.id).name == "Oak Lamp, large")
        #expect(try await fixture.events().map(\.type) == [ProductCreated.eventType, ProductUpdated.eventType])
    }

    @Test func deactivatedProductsLeaveListingsButStayReadable() async throws {
        let fixture = try await CatalogFixture()
        for number in 1...3 { _ = try await fixture.catalog.createProduct(fixture.draft(number)) }
        let deactivated = try await fixture.catalog.deactivateProduct(ProductDeactivation(id: "p-00002", expectedVersion: 1))
        #expect(!deactivated.active)
        #expect(deactivated.version == 2)
        #expect(try await fixture.catalog.products(ProductQuery()).products.map(\.id) == ["p-00001", "p-00003"])
        #expect(try await fixture.catalog.product("p-00002").active == false)
        // Again: nothing changes and nothing more is announced.
        _ = try await fixture.catalog.deactivateProduct(ProductDeactivation(id: "p-00002"))
        #expect(try await fixture.events().filter { $0.type == ProductDeactivated.eventType }.count == 1)
    }

    @Test func pagesAreStableCompleteAndFiltered() async throws {
        let fixture = try await CatalogFixture()
        for number in 1...45 {
            let category: CategoryID = number % 3 == 0 ? "garden" : (number % 3 == 1 ? "lamps" : "lighting")
            _ = try await fixture.catalog.createProduct(fixture.draft(number, category: category, price: Int64(number * 100)))
        }
        var seen: [ProductID] = []
        var cursor: String?
        var pageSizes: [Int] = []
        repeat {
            let page = try await fixture.catalog.products(ProductQuery(cursor: cursor, limit: 20))
            pageSizes.append(page.products.count)
            seen += page.products.map(\.id)
            cursor = page.nextCursor
            // A product added between pages sorts after the ones already seen and shows up later, not twice.
            if pageSizes.count == 1 { _ = try await fixture.catalog.createProduct(fixture.draft(46, category: "garden")) }
        } while cursor != nil
        #expect(pageSizes == [20, 20, 6])
        #expect(seen == seen.sorted())
        #expect(Set(seen).count == 46)

        // "lighting" includes its child "lamps": 30 of the first 45, plus none of the garden ones.
        let lighting = try await fixture.catalog.products(ProductQuery(category: "lighting", limit: 100))
        #expect(lighting.products.count == 30)
        let cheap = try await fixture.catalog.products(ProductQuery(category: "lamps", minPrice: 100, maxPrice: 1000, limit: 100))
        #expect(cheap.products.map(\.price.minorUnits) == [100, 400, 700, 1000])

        await #expect(throws: CatalogError.invalidCursor) { try await fixture.catalog.products(ProductQuery(cursor: "not-a-cursor")) }
        await #expect(throws: CatalogError.invalid("must be between 1 and 100", field: "limit")) {
            try await fixture.catalog.products(ProductQuery(limit: 0))
        }
        await #expect(throws: CatalogError.categoryNotFound("nowhere")) { try await fixture.catalog.products(ProductQuery(category: "nowhere")) }
    }

    @Test func anEmptyCursorMeansTheFirstPage() async throws {
        let fixture = try await CatalogFixture()
        for number in 1...3 { _ = try await fixture.catalog.createProduct(fixture.draft(number)) }
        let first = try await fixture.catalog.products(ProductQuery(limit: 2))
        let empty = try await fixture.catalog.products(ProductQuery(cursor: "", limit: 2))
        #expect(empty == first)
        #expect(empty.products.map(\.id) == ["p-00001", "p-00002"])
        #expect(empty.nextCursor != nil)
    }

    @Test func categoriesComeParentsFirst() async throws {
        let fixture = try await CatalogFixture()
        let categories = try await fixture.catalog.categories()
        #expect(Set(categories.map(\.id)) == ["home", "lighting", "lamps", "garden"])
        for (index, category) in categories.enumerated() {
            if let parent = category.parent {
                #expect(categories[..<index].contains { $0.id == parent }, "\(category.id) before its parent")
            }
        }
    }
}
