import CatalogAPI
import Commerce
import Emporium
import Foundation
import HTTP
import IdentityAPI
import Messaging
import ModuleKit
import SearchAPI
import ServiceKit
import Telemetry
import TestSupport
import Testing

extension WholeSystem {
    /// The shop over HTTP, as a client sees it: the real system, its gateway, its modules and their databases.
    @Suite struct EndToEndTests {
        @Test func aShopperRegistersLogsInBrowsesAndSearches() async throws {
            try await ShopHarness.with { shop in
                // Browse: the seed catalog's categories and a first page of products, then the next page.
                let categories = try shop.decode([CatalogAPI.Category].self, from: try await shop.send(.get, "/api/v1/categories"))
                #expect(categories.count >= 10)
                let firstPage = try shop.decode(ProductPage.self, from: try await shop.send(.get, "/api/v1/products?category=cookware&limit=5"))
                #expect(firstPage.products.count == 5)
                #expect(firstPage.products.allSatisfy { $0.category.rawValue == "cookware" && $0.active })
                let cursor = try #require(firstPage.nextCursor)
                let encodedCursor = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                let secondPage = try shop.decode(
                    ProductPage.self,
                    from: try await shop.send(.get, "/api/v1/products?category=cookware&limit=5&cursor=\(encodedCursor)")
                )
                #expect(Set(secondPage.products.map(\.id)).isDisjoint(with: firstPage.products.map(\.id)))

                // One product, with its version as the entity tag.
                let product = firstPage.products[0]
                let productResponse = try await shop.send(.get, "/api/v1/products/\(product.id.rawValue)")
                #expect(try shop.decode(Product.self, from: productResponse) == product)
                #expect(productResponse.headers.first(name: "ETag") == "\"\(product.version)\"")
                #expect(try await shop.send(.get, "/api/v1/products/p-none").status.code == 404)

                // Search: the seed catalog reaches the index through catalog events.
                let results = try await waitForSearch(shop, "kettle") { $0.total > 0 }
                #expect(results.hits.allSatisfy { ($0.highlightedName + $0.snippet).lowercased().contains("<mark>kettle") })
                #expect(!results.facets.isEmpty)
                #expect(try await shop.send(.get, "/api/v1/search").status.code == 400)

                // Register, log in, and see who we are.
                let credentials = ["email": "Shopper@Example.com", "password": "a long enough password"]
                let user = try shop.decode(UserBody.self, from: try await shop.send(.post, "/api/v1/auth/register", json: credentials), status: 201)
                #expect(user.email == "shopper@example.com")
                #expect(user.role == "customer")
                let duplicate = try await shop.send(.post, "/api/v1/auth/register", json: credentials)
                #expect(duplicate.status.code == 409)
                #expect(duplicate.headers.first(name: "Content-Type") == "application/problem+json")
                let weak = try await shop.send(.post, "/api/v1/auth/register", json: ["email": "weak@example.com", "password": "short"])
                #expect(weak.status.code == 422)

                let session = try shop.decode(
                    SessionBody.self,
                    from: try await shop.send(.post, "/api/v1/auth/login", json: credentials)
                )
                let me = try shop.decode(UserBody.self, from: try await shop.send(.get, "/api/v1/me", token: session.accessToken))
                #expect(me.id == user.id)
                let wrongPassword = try await shop.send(
                    .post,
                    "/api/v1/auth/login",
                    json: ["email": "shopper@example.com", "password": "not the password"]
                )
                #expect(wrongPassword.status.code == 401)

                // Refresh rotates the refresh token; the spent one is refused; logout ends the session.
                let refreshed = try shop.decode(
                    SessionBody.self,
                    from: try await shop.send(.post, "/api/v1/auth/refresh", json: ["token": session.refreshToken])
                )
                #expect(refreshed.refreshToken != session.refreshToken)
                #expect(try await shop.send(.post, "/api/v1/auth/refresh", json: ["token": session.refreshToken]).status.code == 401)
                let other = try shop.decode(SessionBody.self, from: try await shop.send(.post, "/api/v1/auth/login", json: credentials))
                let logout = try await shop.send(.post, "/api/v1/auth/logout", json: ["token": other.refreshToken])
                #expect(logout.status.code == 204)
                #expect(logout.body.isEmpty)
                #expect(try await shop.send(.post, "/api/v1/auth/refresh", json: ["token": other.refreshToken]).status.code == 401)
            }
        }

        @Test func accessNeedsATokenAndAdminRoutesNeedTheAdminRole() async throws {
            try await ShopHarness.with { shop in
                let credentials = ["email": "customer@example.com", "password": "a long enough password"]
                _ = try await shop.send(.post, "/api/v1/auth/register", json: credentials)
                let customer = try await shop.login("customer@example.com", "a long enough password")
                let draft = ProductDraft(
                    sku: "NEW-1",
                    name: "Test Lamp",
                    description: "A lamp.",
                    price: Money(minorUnits: 1000, currency: "EUR"),
                    category: CategoryID(rawValue: "lighting")
                )

                let anonymous = try await shop.send(.post, "/api/v1/admin/products", json: draft)
                #expect(anonymous.status.code == 401)
                #expect(anonymous.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                #expect(try await shop.send(.get, "/api/v1/me").status.code == 401)
                #expect(try await shop.send(.get, "/api/v1/me", token: "not.a.token").status.code == 401)
                #expect(try await shop.send(.post, "/api/v1/admin/products", token: customer, json: draft).status.code == 403)
                #expect(try await shop.send(.get, "/admin/services", token: customer).status.code == 403)
                #expect(try await shop.send(.get, "/admin/services").status.code == 401)

                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let created = try await shop.send(.post, "/api/v1/admin/products", token: admin, json: draft)
                #expect(try shop.decode(Product.self, from: created, status: 201).name == "Test Lamp")
                #expect(try await shop.send(.post, "/api/v1/admin/search/reindex", token: customer).status.code == 403)
                struct Reindexed: Decodable {
                    var indexed: Int
                }
                let reindexed = try await shop.send(.post, "/api/v1/admin/search/reindex", token: admin)
                let indexed = try shop.decode(Reindexed.self, from: reindexed).indexed
                // Every active product: the seed has some off sale, and the admin added one.
                #expect(
                    (ShopHarness.seededProducts * 9 / 10...ShopHarness.seededProducts + 1).contains(indexed),
                    "\(indexed) indexed of \(ShopHarness.seededProducts) seeded"
                )
                // The admin role also grants customer routes.
                #expect(try await shop.send(.get, "/api/v1/me", token: admin).status.code == 200)
            }
        }

        @Test func anAdminEditReachesSearchAndStaleEditsAreRefused() async throws {
            try await ShopHarness.with { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let original = try shop.decode(Product.self, from: try await shop.send(.get, "/api/v1/products/p-00001"))
                _ = try await waitForSearch(shop, "kettle") { $0.hits.contains { $0.productID == "p-00001" } }

                var draft = ProductDraft(
                    sku: original.sku,
                    name: "Zyzzyva Glass Kettle",
                    description: original.description,
                    price: Money(minorUnits: 4200, currency: "EUR"),
                    images: original.images,
                    attributes: original.attributes,
                    category: original.category
                )
                let path = "/api/v1/admin/products/p-00001"
                #expect(try await shop.send(.put, path, token: admin, json: draft).status.code == 428)
                let updated = try await shop.send(.put, path, token: admin, headers: ["If-Match": "\"\(original.version)\""], json: draft)
                #expect(try shop.decode(Product.self, from: updated).version == original.version + 1)
                #expect(updated.headers.first(name: "ETag") == "\"\(original.version + 1)\"")

                draft.name = "Lost Update Kettle"
                let stale = try await shop.send(.put, path, token: admin, headers: ["If-Match": "\"\(original.version)\""], json: draft)
                #expect(stale.status.code == 412)

                // The product page was cached before the edit; the catalog event invalidated it.
                let fresh = try shop.decode(Product.self, from: try await shop.send(.get, "/api/v1/products/p-00001"))
                #expect(fresh.name == "Zyzzyva Glass Kettle")
                let found = try await waitForSearch(shop, "zyzzyva") { $0.total == 1 }
                #expect(found.hits.first?.productID == "p-00001")
                #expect(found.hits.first?.priceMinorUnits == 4200)

                // Deactivated: gone from lists and from search.
                let deleted = try await shop.send(.delete, path, token: admin)
                #expect(try shop.decode(Product.self, from: deleted).active == false)
                _ = try await waitForSearch(shop, "zyzzyva") { $0.total == 0 }
            }
        }

        @Test func aReplicaTakenDownIsEjectedAndTheCatalogKeepsAnsweringWritesIncluded() async throws {
            try await ShopHarness.with(
                configure: { $0.replicas = ["catalog": 3] },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    struct Instance: Decodable {
                        struct Ejection: Decodable {
                            var secondsLeft: Double
                            var count: Int
                        }
                        var id: String
                        var down: Bool
                        var ejection: Ejection?
                    }
                    let taken = try shop.decode(Instance.self, from: try await shop.send(.post, "/admin/instances/catalog-2/down", token: admin))
                    #expect(taken.id == "catalog-2" && taken.down)
                    #expect(try await shop.send(.post, "/admin/instances/catalog-9/down", token: admin).status.code == 404)
                    #expect(try await shop.send(.post, "/admin/instances/catalog-2/up").status.code == 401)

                    // Writes are not retried: the ones that meet the broken replica fail (502 or 503, never 500)
                    // until it is ejected, after a handful; after that every write and every read succeeds.
                    var statuses: [Int] = []
                    for index in 0..<60 {
                        let draft = ProductDraft(
                            sku: "EJECT-\(index)",
                            name: "Ejection Lamp \(index)",
                            description: "A lamp.",
                            price: Money(minorUnits: Int64(1000 + index), currency: "EUR"),
                            category: CategoryID(rawValue: "lighting")
                        )
                        statuses.append(Int(try await shop.send(.post, "/api/v1/admin/products", token: admin, json: draft).status.code))
                        statuses.append(Int(try await shop.send(.get, "/api/v1/products?limit=\(1 + index % 50)").status.code))
                    }
                    let failed = statuses.indices.filter { ![200, 201].contains(statuses[$0]) }
                    #expect(failed.count <= 5, "\(statuses)")
                    #expect(failed.allSatisfy { [502, 503].contains(statuses[$0]) }, "\(statuses)")
                    #expect((failed.last ?? 0) < 40, "the replica was ejected late: \(statuses)")

                    struct Services: Decodable {
                        struct Service: Decodable {
                            var name: String
                            var instances: [Instance]
                        }
                        var services: [Service]
                    }
                    let services = try shop.decode(Services.self, from: try await shop.send(.get, "/admin/services", token: admin))
                    let catalog = try #require(services.services.first { $0.name == "catalog" })
                    let broken = try #require(catalog.instances.first { $0.id == "catalog-2" })
                    #expect(broken.down && broken.ejection?.count == 1)
                    #expect(catalog.instances.filter { $0.ejection != nil }.count == 1)

                    let healed = try shop.decode(Instance.self, from: try await shop.send(.post, "/admin/instances/catalog-2/up", token: admin))
                    #expect(!healed.down)
                }
            )
        }

        @Test func faultsAreSetAndClearedAtRunTime() async throws {
            try await ShopHarness.with { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                struct Faults: Decodable {
                    struct Fault: Decodable {
                        var target: String
                        var latencyMs: Int?
                        var errorRate: Double
                    }
                    var faults: [Fault]
                    var down: [String]
                }
                #expect(try shop.decode(Faults.self, from: try await shop.send(.get, "/admin/faults", token: admin)).faults.isEmpty)
                let set = try await shop.send(.put, "/admin/faults/catalog.products", token: admin, json: ["errorRate": 1.0])
                let faults = try shop.decode(Faults.self, from: set)
                #expect(faults.faults.map(\.target) == ["catalog.products"] && faults.faults.first?.errorRate == 1)
                // Every call fails (retried, then given up): the gateway answers 502, not 500.
                #expect(try await shop.send(.get, "/api/v1/products?limit=7").status.code == 502)
                let cleared = try shop.decode(Faults.self, from: try await shop.send(.delete, "/admin/faults/catalog.products", token: admin))
                #expect(cleared.faults.isEmpty)
                #expect(try await shop.send(.get, "/api/v1/products?limit=7").status.code == 200)

                #expect(try await shop.send(.put, "/admin/faults/nowhere", token: admin, json: ["errorRate": 1.0]).status.code == 404)
                #expect(try await shop.send(.put, "/admin/faults/catalog", token: admin, json: ["errorRate": 2.0]).status.code == 400)
                #expect(try await shop.send(.put, "/admin/faults/catalog", json: ["errorRate": 1.0]).status.code == 401)
            }
        }

        @Test func theOperationsAPIShowsTheLiveSystem() async throws {
            try await ShopHarness.with(
                configure: { $0.replicas = ["catalog": 2] },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    _ = try await shop.send(.get, "/api/v1/products?limit=3")
                    struct Services: Decodable {
                        struct Service: Decodable {
                            struct Instance: Decodable {
                                var id: String
                                var health: String
                            }
                            var name: String
                            var instances: [Instance]
                            var publishes: [String]
                            var consumes: [String]
                        }
                        var services: [Service]
                    }
                    let services = try shop.decode(Services.self, from: try await shop.send(.get, "/admin/services", token: admin))
                    let catalog = try #require(services.services.first { $0.name == "catalog" })
                    #expect(catalog.instances.map(\.id) == ["catalog-1", "catalog-2"])
                    #expect(catalog.instances.allSatisfy { $0.health == "healthy" })
                    #expect(catalog.publishes.contains("catalog.product-updated.v1"))
                    let search = try #require(services.services.first { $0.name == "search" })
                    #expect(search.consumes.contains("catalog.product-created.v1"))

                    struct Stats: Decodable {
                        var requests: Int
                        var routes: [Route]
                        struct Route: Decodable {
                            var route: String
                            var requests: Int
                        }
                    }
                    let stats = try shop.decode(Stats.self, from: try await shop.send(.get, "/admin/stats", token: admin))
                    #expect(stats.requests >= 2)
                    #expect(stats.routes.contains { $0.route == "GET /api/v1/products" && $0.requests >= 1 })

                    struct Traces: Decodable {
                        struct Trace: Decodable {
                            struct Span: Decodable {
                                var name: String
                            }
                            var root: String
                            var spans: [Span]
                        }
                        var traces: [Trace]
                    }
                    let traces = try shop.decode(Traces.self, from: try await shop.send(.get, "/admin/traces?limit=50", token: admin))
                    let browse = try #require(traces.traces.first { $0.root == "GET /api/v1/products" })
                    #expect(browse.spans.contains { $0.name == "call catalog.products" })

                    struct Outboxes: Decodable {
                        struct Group: Decodable {
                            var group: String
                            var backlog: Int
                            var handledThrough: Int
                        }
                        struct Outbox: Decodable {
                            var module: String
                            var groups: [Group]
                        }
                        var outboxes: [Outbox]
                    }
                    // Each group that takes the catalog's events reads its outbox on its own cursor, every product seeded.
                    try await waitUntil("every group has handled the seed catalog") {
                        let outboxes = try shop.decode(Outboxes.self, from: try await shop.send(.get, "/admin/outbox", token: admin))
                        #expect(outboxes.outboxes.map(\.module).sorted() == ["catalog", "identity", "inventory", "orders", "payments", "warehouse"])
                        let catalog = outboxes.outboxes.first { $0.module == "catalog" }?.groups ?? []
                        #expect(catalog.map(\.group) == ["cart", "gateway", "search"])
                        return catalog.allSatisfy { $0.backlog == 0 && $0.handledThrough == ShopHarness.seededProducts }
                    }
                }
            )
        }

        @Test func eachClientHasItsRateLimitAndZeroTurnsItOff() async throws {
            try await ShopHarness.with(
                configure: { $0.requestsPerMinute = 3 },
                { shop in
                    for _ in 0..<3 { #expect(try await shop.send(.get, "/api/v1/categories").status.code == 200) }
                    let limited = try await shop.send(.get, "/api/v1/categories")
                    #expect(limited.status.code == 429)
                    #expect(limited.headers.first(name: "Retry-After") != nil)
                    #expect(limited.headers.first(name: "RateLimit-Policy")?.contains("q=3") == true)
                }
            )
            try await ShopHarness.with(
                configure: { $0.requestsPerMinute = 0 },
                { shop in
                    for _ in 0..<5 {
                        let response = try await shop.send(.get, "/api/v1/categories")
                        #expect(response.status.code == 200)
                        #expect(response.headers.first(name: "RateLimit") == nil)
                    }
                }
            )
        }

        @Test func injectedFaultsOpenTheBreakerAndTheOperationsAPIShowsIt() async throws {
            try await ShopHarness.with(
                configure: { $0.faults = ["catalog.product": .init(errorRate: 1)] },
                { shop in
                    let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                    // Every call fails; once the breaker's window is full it opens and the gateway stops calling.
                    var statuses: [Int] = []
                    try await waitUntil("the breaker opens", timeout: .seconds(30)) {
                        let response = try await shop.send(.get, "/api/v1/products/p-00001")
                        statuses.append(response.status.code)
                        return response.status.code == 503 && response.headers.first(name: "Retry-After") != nil
                    }
                    #expect(Set(statuses.dropLast()) == [502], "a failing service is a bad gateway, not a fault of the gateway")
                    // Other endpoints of the catalog are unaffected by the fault, but share its breaker.
                    #expect(try await shop.send(.get, "/api/v1/categories").status.code == 503)
                    struct Services: Decodable {
                        struct Service: Decodable {
                            struct Breaker: Decodable {
                                var state: String
                            }
                            var name: String
                            var breaker: Breaker?
                        }
                        var services: [Service]
                    }
                    let services = try shop.decode(Services.self, from: try await shop.send(.get, "/admin/services", token: admin))
                    #expect(services.services.first { $0.name == "catalog" }?.breaker?.state == "open")
                    #expect(services.services.first { $0.name == "identity" }?.breaker?.state == "closed")
                }
            )
        }

        @Test func deadLettersAreListedAndReplayedThroughTheOperationsAPI() async throws {
            try await ShopHarness.with { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                // An event Search cannot apply: it retries, then keeps it in search.sqlite's dead-letter table.
                let broken = Envelope(source: "/test", type: ProductCreated.eventType, subject: "p-broken", data: Data("{}".utf8))
                try await shop.system.bus.publish(broken)
                struct Letters: Decodable {
                    struct Letter: Decodable {
                        var eventId: String
                        var group: String
                        var type: String
                    }
                    var deadLetters: [Letter]
                }
                var letters: [Letters.Letter] = []
                // The cart takes product events too, and keeps its own dead letter of it.
                try await waitUntil("the event is dead-lettered") {
                    letters = try shop.decode(Letters.self, from: try await shop.send(.get, "/admin/dead-letters", token: admin)).deadLetters
                        .filter { $0.group == "search" }
                    return !letters.isEmpty
                }
                #expect(letters.map(\.eventId) == [broken.id])
                #expect(letters.first?.group == "search")
                #expect(letters.first?.type == ProductCreated.eventType)

                let replay = try await shop.send(.post, "/admin/dead-letters/\(broken.id)/replay?group=search", token: admin)
                #expect(replay.status.code == 200)
                let unknown = try await shop.send(.post, "/admin/dead-letters/no-such-event/replay?group=search", token: admin)
                #expect(unknown.status.code == 404)
                // Replayed, it fails again and comes back.
                try await waitUntil("the replayed event is dead-lettered again") {
                    try shop.decode(Letters.self, from: try await shop.send(.get, "/admin/dead-letters", token: admin)).deadLetters
                        .filter { $0.group == "search" }.count == 1
                }
            }
        }

        @Test func aRestartKeepsDataAndDoesNotSeedTwice() async throws {
            let directory = try TemporaryDirectory()
            var configuration = EmporiumConfiguration(dataDirectory: directory.path("data"))
            configuration.port = 0
            let seed: URL = try #require(EmporiumConfiguration.fixtureCatalog)
            configuration.settings["catalog.seed"] = seed.path
            configuration.logLevel = .critical
            configuration.serveHTTP = false

            let first = try await Emporium.start(configuration)
            let seeded = try await CatalogClient(client: first.client).products(ProductQuery(limit: 100))
            #expect(seeded.products.count == 100)
            _ = try await IdentityClient(client: first.client).register(Registration(email: "kept@example.com", password: "a long enough password"))
            await first.stop()

            let second = try await Emporium.start(configuration)
            let again = try await second.importCatalog(from: seed)
            #expect(again.productsAdded == 0)
            #expect(again.productsSkipped == 540)
            await #expect(throws: (any Error).self) {
                _ = try await IdentityClient(client: second.client).register(
                    Registration(email: "kept@example.com", password: "a long enough password")
                )
            }
            #expect(FileManager.default.fileExists(atPath: directory.path("data/initial-admin-password")))
            await second.stop()
        }

        /// Searches until `condition` holds for the results (the index follows the catalog's events).
        private func waitForSearch(
            _ shop: ShopHarness,
            _ text: String,
            until condition: (SearchResults) -> Bool
        ) async throws -> SearchResults {
            var last: SearchResults?
            try await waitUntil("search for \(text)", timeout: .seconds(20)) {
                // The search route is cached briefly: a unique parameter asks the index itself.
                let response = try await shop.send(.get, "/api/v1/search?q=\(text)&limit=50&offset=0&_=\(UUID().uuidString)")
                guard response.status.code == 200 else { return false }
                let results = try shop.decode(SearchResults.self, from: response)
                last = results
                return condition(results)
            }
            return try #require(last)
        }
    }
}
