// Emporium embedded in another program: the example of Docs/embedding.md, built and run by EmporiumTests.
import CatalogAPI
import Emporium
import Foundation
import IdentityAPI
import ModuleKit
import SearchAPI
import ServiceKit
import Telemetry

// In-memory databases, the fixture catalog, and the HTTP edge on a free port.
var configuration = EmporiumConfiguration(dataDirectory: nil)
configuration.port = 0
configuration.settings["catalog.seed"] = EmporiumConfiguration.fixtureCatalog?.path
configuration.logLevel = .warning
let shop = try await Emporium.start(configuration)

// Typed access to each module through its API's client, over the same call pipeline the gateway uses.
let catalog = CatalogClient(client: shop.client)
let identity = IdentityClient(client: shop.client)
let search = SearchClient(client: shop.client)
let categories = try await catalog.categories()
let page = try await catalog.products(ProductQuery(category: CategoryID(rawValue: "lighting"), limit: 3))
print("\(categories.count) categories; lighting starts with \(page.products.map(\.name))")

let user = try await identity.register(Registration(email: "embedder@example.com", password: "a long enough password"))
let session = try await identity.login(Credentials(email: user.email, password: "a long enough password"))
print("registered \(user.email) as \(user.role.rawValue); token expires \(session.accessTokenExpiresAt)")

// Search follows the catalog's events; wait until the seed catalog is indexed.
var results = try await search.search(SearchQuery(text: "lamp"))
for _ in 0..<100 where results.total == 0 {
    try await Task.sleep(for: .milliseconds(50))
    results = try await search.search(SearchQuery(text: "lamp"))
}
print("search 'lamp': \(results.total) hits, first \(results.hits.first?.name ?? "none")")
print("the web store is at \(shop.baseURL)")

await shop.stop()
