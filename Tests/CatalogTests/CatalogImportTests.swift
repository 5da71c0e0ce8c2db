import Catalog
import CatalogAPI
import Foundation
import ServiceKit
import Testing

/// Importing a catalog document (the seed format): once, completely, and never twice.
@Suite struct CatalogImportTests {
    static let document = Data(
        #"""
        {"currency": "EUR",
         "categories": [{"id": "tools", "name": "Tools", "parent": "workshop"}, {"id": "workshop", "name": "Workshop", "parent": null}],
         "products": [
           {"id": "p-1", "sku": "T-1", "name": "Oak Mallet", "description": "A mallet.", "price_minor": 1999, "category": "tools",
            "images": [], "attributes": {"weight_g": 450, "length_cm": 30.5, "handle": "oak", "boxed": true}, "active": true},
           {"id": "p-2", "sku": "T-2", "name": "Old Saw", "description": "Retired.", "price_minor": 500, "currency": "GBP",
            "category": "tools", "active": false}
         ]}
        """#.utf8
    )

    @Test func anImportAddsCategoriesAndProductsWithTheirEventsOnce() async throws {
        let fixture = try await CatalogFixture()
        let report = try await fixture.service.importCatalog(try CatalogDocument(json: Self.document))
        #expect(report == CatalogImportReport(categories: 2, productsAdded: 2, productsSkipped: 0))

        let mallet = try await fixture.catalog.product("p-1")
        #expect(mallet.price == Money(minorUnits: 1999, currency: "EUR"))
        #expect(mallet.attributes == ["weight_g": "450", "length_cm": "30.5", "handle": "oak", "boxed": "true"])
        #expect(mallet.active)
        let saw = try await fixture.catalog.product("p-2")
        #expect(saw.price.currency == "GBP")
        #expect(!saw.active)
        #expect(try await fixture.catalog.categories().contains(Category(id: "tools", name: "Tools", parent: "workshop")))
        let events = try await fixture.events()
        #expect(events.filter { $0.type == ProductCreated.eventType }.map(\.subject) == ["p-1", "p-2"])

        let again = try await fixture.service.importCatalog(try CatalogDocument(json: Self.document))
        #expect(again == CatalogImportReport(categories: 2, productsAdded: 0, productsSkipped: 2))
        #expect(try await fixture.events().count == events.count)
    }

    @Test func aBadDocumentImportsNothingAndSaysWhere() async throws {
        let fixture = try await CatalogFixture()
        #expect(throws: CatalogError.self) { try CatalogDocument(json: Data(#"{"currency": "EUR", "categories": []}"#.utf8)) }
        let negative = String(decoding: Self.document, as: UTF8.self).replacingOccurrences(of: "\"price_minor\": 500", with: "\"price_minor\": -5")
        await #expect(throws: CatalogError.invalid("product T-2: price_minor cannot be negative")) {
            try await fixture.service.importCatalog(try CatalogDocument(json: Data(negative.utf8)))
        }
        let orphan = String(decoding: Self.document, as: UTF8.self)
            .replacingOccurrences(of: "\"category\": \"tools\", \"active\": false", with: "\"category\": \"nowhere\"")
        await #expect(throws: CatalogError.categoryNotFound("nowhere")) {
            try await fixture.service.importCatalog(try CatalogDocument(json: Data(orphan.utf8)))
        }
        // Neither attempt left the mallet behind: an import is one transaction.
        await #expect(throws: CatalogError.productNotFound("p-1")) { try await fixture.catalog.product("p-1") }
    }
}
