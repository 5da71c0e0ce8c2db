import Foundation
import Gateway
import HTTP
import Messaging
import ServiceKit
import TestSupport
import Testing

@Suite struct CacheTests {
    private static func invalidateItems(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.invalidate(on: ["items.item-updated.v1"]) { event in
            [.path("/api/v1/items/\(event.subject ?? "")"), .path("/api/v1/items")]
        }
        gateway.subscribeInvalidations(to: parts.bus)
    }

    @Test func aMissIsFollowedByHitsThatNeverCallTheService() async throws {
        try await GatewayHarness.with { harness in
            let miss = try await harness.get("/api/v1/items/lamp")
            #expect(miss.status == .ok)
            #expect(miss.headers.first(name: "X-Cache") == "miss")
            #expect(miss.headers.first(name: "Cache-Control") == "public, max-age=60")
            #expect(miss.headers.first(name: "Content-Type") == "application/json")
            let etag = try #require(miss.headers.first(name: "ETag"))
            #expect(etag.count == 18 && etag.hasPrefix("\"") && etag.hasSuffix("\""))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            #expect(try decoder.decode(Item.self, from: Data(miss.body)) == Item(id: "lamp", name: "Item lamp", updatedAt: fixedDate))
            #expect(miss.text.contains("2023-11-14T22:13:20Z"))

            for _ in 0..<3 {
                let hit = try await harness.get("/api/v1/items/lamp")
                #expect(hit.status == .ok)
                #expect(hit.headers.first(name: "X-Cache") == "hit")
                #expect(hit.headers.first(name: "ETag") == etag)
                #expect(hit.body == miss.body)
            }
            #expect(harness.calls["items.get"] == 1)
        }
    }

    @Test func withResponseCachingOffACacheableRouteCallsTheServiceEveryTime() async throws {
        try await GatewayHarness.with(configuration: Gateway.Configuration(responseCaching: false)) { harness in
            for _ in 0..<3 {
                let response = try await harness.get("/api/v1/items/lamp")
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "X-Cache") == nil)
                #expect(response.text.contains("Item lamp"))
            }
            #expect(harness.calls["items.get"] == 3)
        }
    }

    @Test func ifNoneMatchGets304WithTheETagAndNoBody() async throws {
        try await GatewayHarness.with { harness in
            let first = try await harness.get("/api/v1/items/lamp")
            let etag = try #require(first.headers.first(name: "ETag"))
            let revalidated = try await harness.get("/api/v1/items/lamp", headers: ["If-None-Match": "\"other\", W/\(etag)"])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.headers.first(name: "ETag") == etag)
            #expect(revalidated.body.isEmpty)
            let changed = try await harness.get("/api/v1/items/lamp", headers: ["If-None-Match": "\"0000000000000000\""])
            #expect(changed.status == .ok)
            #expect(harness.calls["items.get"] == 1)
        }
    }

    @Test func anEventOnTheBusInvalidatesTheItemAndTheListSoTheNextGetIsAMiss() async throws {
        try await GatewayHarness.with(configure: Self.invalidateItems) { harness in
            _ = try await harness.get("/api/v1/items/lamp")
            _ = try await harness.get("/api/v1/items/chair")
            _ = try await harness.get("/api/v1/items?category=a&page=2")
            #expect(try await harness.get("/api/v1/items?page=2&category=a").headers.first(name: "X-Cache") == "hit")
            #expect(harness.gateway.cache.count == 3)

            let event = Envelope(source: "/items", type: "items.item-updated.v1", subject: "lamp", data: Data("{}".utf8))
            try await harness.bus.deliver([event])

            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "miss")
            #expect(try await harness.get("/api/v1/items/chair").headers.first(name: "X-Cache") == "hit")
            #expect(try await harness.get("/api/v1/items?category=a&page=2").headers.first(name: "X-Cache") == "miss")
            #expect(harness.calls["items.get"] == 3)
            #expect(harness.calls["items.list"] == 2)
        }
    }

    @Test func equivalentSpellingsOfAPathShareAnEntryAndAreInvalidatedTogether() async throws {
        try await GatewayHarness.with(configure: Self.invalidateItems) { harness in
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "miss")
            #expect(try await harness.get("/api/v1/items/%6Camp").headers.first(name: "X-Cache") == "hit")
            #expect(try await harness.get("/api/v1/items/lamp/").headers.first(name: "X-Cache") == "hit")
            #expect(try await harness.get("/api/v1/items//lamp").headers.first(name: "X-Cache") == "hit")
            #expect(try await harness.get("/api/v1/items?category=%61").headers.first(name: "X-Cache") == "miss")
            #expect(try await harness.get("/api/v1/items?category=a&").headers.first(name: "X-Cache") == "hit")

            try await harness.bus.deliver([Envelope(source: "/items", type: "items.item-updated.v1", subject: "lamp", data: Data("{}".utf8))])
            #expect(harness.gateway.cache.count == 0)
            #expect(try await harness.get("/api/v1/items/%6Camp").headers.first(name: "X-Cache") == "miss")
        }
    }

    @Test func headRequestsAreServedFromTheCache() async throws {
        try await GatewayHarness.with { harness in
            let get = try await harness.get("/api/v1/items/lamp")
            let head = try await harness.send(.head, "/api/v1/items/lamp")
            #expect(head.status == .ok)
            #expect(head.headers.first(name: "X-Cache") == "hit")
            #expect(head.headers.first(name: "ETag") == get.headers.first(name: "ETag"))
            #expect(head.body.isEmpty)
            #expect(harness.calls["items.get"] == 1)
        }
    }

    @Test func concurrentMissesForOneKeyCallTheServiceOnce() async throws {
        try await GatewayHarness.with { harness in
            let connections = try await withThrowingTaskGroup(of: HTTPClientConnection.self) { group in
                for _ in 0..<5 { group.addTask { try await harness.connect() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            async let responses = withThrowingTaskGroup(of: HTTPClientResponse.self) { group in
                for connection in connections {
                    group.addTask { try await connection.send(.get, "/api/v1/gated/lamp", timeout: .seconds(10)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let coalesced = await waitUntil(timeout: .seconds(30)) {
                harness.gate.arrivals == 1 && harness.gateway.cache.coalescedWaiters == 4
            }
            #expect(coalesced)
            harness.gate.open()
            let all = try await responses
            #expect(all.count == 5)
            #expect(all.allSatisfy { $0.status == .ok && $0.body == all[0].body })
            #expect(all.filter { $0.headers.first(name: "X-Cache") == "miss" }.count == 1)
            #expect(harness.calls["items.gated"] == 1)
            for connection in connections { await connection.close() }
        }
    }

    @Test func entriesExpireAfterMaxAge() async throws {
        try await GatewayHarness.with { harness in
            _ = try await harness.get("/api/v1/items/lamp")
            harness.clock.advance(by: .seconds(59))
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "hit")
            harness.clock.advance(by: .seconds(1))
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "miss")
            #expect(harness.calls["items.get"] == 2)
        }
    }

    @Test func theCacheEvictsTheLeastRecentlyUsedEntryWhenFull() {
        let cache = ResponseCache(capacity: 2, clock: ManualClock())
        func entry(_ path: String) -> ResponseCache.Entry {
            ResponseCache.Entry(path: path, status: 200, contentType: "application/json", body: [], etag: "\"0\"", expires: .origin + .seconds(60))
        }
        cache.store(entry("/a"), under: "GET /a")
        cache.store(entry("/b"), under: "GET /b")
        _ = cache.lookup("GET /a")
        cache.store(entry("/c"), under: "GET /c")
        #expect(cache.lookup("GET /a") != nil)
        #expect(cache.lookup("GET /b") == nil)
        #expect(cache.lookup("GET /c") != nil)
        #expect(ResponseCache.key(path: "/x", query: "b=2&a=1") == ResponseCache.key(path: "/x", query: "a=1&b=2"))
        // Paths and queries already normal are kept as they are; the others are normalized to the same key.
        let pairs: [(String, String?, String)] = [
            ("/", nil, "GET /"), ("", nil, "GET /"), ("/items/lamp", nil, "GET /items/lamp"), ("/items/lamp/", nil, "GET /items/lamp"),
            ("//items//lamp", nil, "GET /items/lamp"), ("/items/%6Camp", nil, "GET /items/lamp"), ("/items/a%2fb", nil, "GET /items/a%2Fb"),
            ("/x", "limit=3", "GET /x?limit=3"), ("/x", "", "GET /x"), ("/x", "&", "GET /x"), ("/x", "q=%6c", "GET /x?q=l"),
            ("/x", "b=2&a=1&", "GET /x?a=1&b=2"),
        ]
        for (path, query, key) in pairs {
            #expect(ResponseCache.key(path: Substring(path), query: query.map { Substring($0) }) == key, "\(path) \(query ?? "-")")
        }

        // Storing under an existing key replaces the entry and makes it the most recent.
        cache.store(entry("/a"), under: "GET /a")
        cache.store(entry("/d"), under: "GET /d")
        #expect(cache.lookup("GET /a") != nil)
        #expect(cache.lookup("GET /c") == nil)
        #expect(cache.count == 2)
    }

    @Test func prefixInvalidationMatchesWholeSegments() {
        let cache = ResponseCache(capacity: 10, clock: ManualClock())
        for path in ["/products", "/products/7", "/products/7/reviews", "/products-archive", "/other"] {
            cache.store(
                ResponseCache.Entry(
                    path: path,
                    status: 200,
                    contentType: "application/json",
                    body: [],
                    etag: "\"0\"",
                    expires: .origin + .seconds(60)
                ),
                under: "GET " + path
            )
        }
        #expect(cache.invalidate([.prefix("/products")]) == 3)
        #expect(cache.lookup("GET /products-archive") != nil)
        #expect(cache.lookup("GET /other") != nil)
        #expect(cache.invalidate([.path("/products-archive/")]) == 1)
        #expect(cache.count == 1)
    }
}
