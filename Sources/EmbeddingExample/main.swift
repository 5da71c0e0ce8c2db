// Emporium embedded in another program: the example of Docs/embedding.md, built and run by EmporiumTests.
import CatalogAPI
import Emporium
import Foundation
import IdentityAPI
import SearchAPI
import ServiceKit
import Telemetry

// In-memory databases, the fixture catalog, and the HTTP edge on a free port.
var configuration = EmporiumConfiguration(dataDirectory: nil)
configuration.port = 0
configuration.seedCatalog = EmporiumConfiguration.fixtureCatalog
configuration.logLevel = .warning
let shop = try await Emporium.start(configuration)

// Typed access to each module, through the same call pipeline the gateway uses.
let categories = try await shop.catalog.categories()
let page = try await shop.catalog.products(ProductQuery(category: CategoryID(rawValue: "lighting"), limit: 3))
print("\(categories.count) categories; lighting starts with \(page.products.map(\.name))")

let user = try await shop.identity.register(Registration(email: "embedder@example.com", password: "a long enough password"))
let session = try await shop.identity.login(Credentials(email: user.email, password: "a long enough password"))
print("registered \(user.email) as \(user.role.rawValue); token expires \(session.accessTokenExpiresAt)")

// Search follows the catalog's events; wait until the seed catalog is indexed.
var results = try await shop.search.search(SearchQuery(text: "lamp"))
for _ in 0..<100 where results.total == 0 {
    try await Task.sleep(for: .milliseconds(50))
    results = try await shop.search.search(SearchQuery(text: "lamp"))
}
print("search 'lamp': \(results.total) hits, first \(results.hits.first?.name ?? "none")")
print("the web store is at \(shop.baseURL)")

await shop.stop()
