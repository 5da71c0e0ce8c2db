import CatalogAPI
import Foundation
public import ModuleKit
import ServiceKit

extension Module {
    /// The catalog: categories and products in `catalog.sqlite`, every change published with its event.
    ///
    /// Settings: `catalog.seed`, a catalog document imported on first start (into an empty catalog).
    public static let catalog = Module(
        name: "catalog",
        migrations: CatalogSchema.migrator,
        publishes: CatalogEvents.published,
        settings: [ModuleSetting("seed", help: "a catalog document (Fixtures/catalog/catalog.json) imported when the catalog is empty")]
    ) { context in
        let service = SQLiteCatalogService(database: context.database, outbox: context.outbox)
        var handlers = EndpointHandlers()
        handlers.registerCatalog(service)
        let seed = context.settings.string("seed")
        let seeding: @Sendable () async throws -> [String] = {
            guard let seed else { return [] }
            guard try await service.categories().isEmpty else { return [] }
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: seed))
            } catch {
                throw ModuleSettingError(key: "catalog.seed", message: "\(seed): cannot read the seed catalog (\(error.localizedDescription))")
            }
            let report = try await service.importCatalog(CatalogUpload(json: data))
            return ["seeded the catalog from \(seed): \(report.categories) categories, \(report.productsAdded) products"]
        }
        return ModuleParts(handlers: handlers, seed: seeding)
    }
}
