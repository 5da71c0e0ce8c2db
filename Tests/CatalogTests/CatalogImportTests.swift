import Catalog
import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import ServiceKit
import Synchronization
import TestSupport
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
        let report = try await fixture.catalog.importCatalog(CatalogUpload(json: Self.document))
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

        let again = try await fixture.catalog.importCatalog(CatalogUpload(json: Self.document))
        #expect(again == CatalogImportReport(categories: 2, productsAdded: 0, productsSkipped: 2))
        #expect(try await fixture.events().count == events.count)
    }

    @Test func aBadDocumentImportsNothingAndSaysWhere() async throws {
        let fixture = try await CatalogFixture()
        #expect(throws: CatalogError.self) { try CatalogDocument(json: Data(#"{"currency": "EUR", "categories": []}"#.utf8)) }
        let negative = String(decoding: Self.document, as: UTF8.self).replacingOccurrences(of: "\"price_minor\": 500", with: "\"price_minor\": -5")
        await #expect(throws: CatalogError.invalid("product T-2: price_minor cannot be negative")) {
            try await fixture.catalog.importCatalog(CatalogUpload(json: Data(negative.utf8)))
        }
        let orphan = String(decoding: Self.document, as: UTF8.self)
            .replacingOccurrences(of: "\"category\": \"tools\", \"active\": false", with: "\"category\": \"nowhere\"")
        await #expect(throws: CatalogError.categoryNotFound("nowhere")) {
            try await fixture.catalog.importCatalog(CatalogUpload(json: Data(orphan.utf8)))
        }
        // Neither attempt left the mallet behind: an import is one transaction.
        await #expect(throws: CatalogError.productNotFound("p-1")) { try await fixture.catalog.product("p-1") }
    }

    @Test func theModuleSeedsAnEmptyCatalogFromItsSettingOnce() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("seed.json")
        try Self.document.write(to: URL(fileURLWithPath: file))
        try await ModuleHarness.run(.catalog, settings: ModuleSettings(["catalog.seed": file])) { harness in
            #expect(harness.notes == ["seeded the catalog from \(file): 2 categories, 2 products"])
            let catalog = CatalogClient(client: harness.client)
            #expect(try await catalog.product("p-1").name == "Oak Mallet")
            // Every later start finds the catalog filled and leaves it alone.
            #expect(try await harness.host.seed() == [])
            // The relay publishes what the import wrote to every group that takes it, and nothing is left.
            let handled = Recorder()
            harness.bus.subscribe(Subscription(group: "watcher", eventTypes: CatalogEvents.published)) { handled.add($0.subject) }
            try await waitUntil("the watcher has both events") { handled.values.sorted() == ["p-1", "p-2"] }
            try await harness.waitUntilSettled()
        }
    }

    @Test func anUnreadableSeedStopsTheStartAndSaysWhy() async throws {
        await #expect {
            try await ModuleHarness.run(.catalog, settings: ModuleSettings(["catalog.seed": "/nonexistent/seed.json"])) { _ in }
        } throws: { error in
            "\(error)".contains("/nonexistent/seed.json: cannot read the seed catalog")
        }
    }
}

/// Subjects a test handler saw.
private final class Recorder: Sendable {
    private let seen = Mutex<[String]>([])
    func add(_ subject: String?) { seen.withLock { $0.append(subject ?? "") } }
    var values: [String] { seen.withLock { $0 } }
}
