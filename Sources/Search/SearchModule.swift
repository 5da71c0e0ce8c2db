import CatalogAPI
import Messaging
public import ModuleKit
import SearchAPI
import ServiceKit

extension Module {
    /// Search: a full-text index in `search.sqlite`, fed by the catalog's events through its inbox.
    public static let search = Module(name: "search", migrations: SearchSchema.migrator) { context in
        let service = try SQLiteSearchService(database: context.database, catalog: CatalogClient(client: context.client))
        var handlers = EndpointHandlers()
        handlers.registerSearch(service)
        return ModuleParts(handlers: handlers, subscription: EventSubscription(through: context.inbox, SQLiteSearchService.eventHandlers))
    }
}
