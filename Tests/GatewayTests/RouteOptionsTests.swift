import Foundation
import Gateway
import HTTP
import Messaging
import ServiceKit
import Telemetry
import TestSupport
import Testing

/// What a route can declare besides its endpoint: an entity tag, a bodyless status, the cache entries a write
/// makes stale, a handler the gateway answers itself; and what a failure's `retryAfter` and the untraced paths do.
@Suite struct RouteOptionsTests {
    private static func taggedRoutes(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        let itemTag: @Sendable (Item) -> String = { "\"v-\($0.id)\"" }
        let newTag: @Sendable (Item) -> String = { _ in "\"v-new\"" }
        gateway.route(.get, "/api/v1/tagged/{id}", to: ItemsEndpoints.get, cache: .publicCacheable(maxAge: .seconds(60)), etag: itemTag) {
            try $0.pathParameter("id")
        }
        gateway.route(
            .post,
            "/api/v1/tagged",
            to: ItemsEndpoints.create,
            access: .authenticated("admin"),
            status: .created,
            etag: newTag
        ) {
            try $0.decodeBody(NewItem.self)
        }
    }

    private static func noContentRoute(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.post, "/api/v1/forget", to: ItemsEndpoints.create, status: .noContent) { try $0.decodeBody(NewItem.self) }
    }

    private static func renameRoute(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        let stale: @Sendable (GatewayRequest) -> [CacheInvalidation] = { request in
            [.path("/api/v1/items/\(request.http.pathParameters["id"] ?? "")")]
        }
        gateway.route(
            .post,
            "/api/v1/items/{id}/rename",
            to: ItemsEndpoints.create,
            access: .authenticated("admin"),
            invalidates: stale
        ) { try $0.decodeBody(NewItem.self) }
    }

    private static func statusRoute(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.get, "/ops/status", access: .authenticated("admin"), rateLimitClass: nil) { request in
            guard request.queryParameter("fail") == nil else { throw GatewayError(status: .conflict, detail: "asked to fail") }
            return OpsStatus(healthy: true)
        }
    }

    private static func busyRoute(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.get, "/api/v1/busy", rateLimitClass: nil) { _ -> Item in throw Throttled(seconds: 42) }
        gateway.mapFailures(Throttled.self) { _ in .tooManyRequests }
    }

    @Test func aRouteNamesItsETagAndTheCacheKeepsIt() async throws {
        try await GatewayHarness.with(configure: Self.taggedRoutes) { harness in
            let miss = try await harness.get("/api/v1/tagged/lamp")
            #expect(miss.headers.first(name: "ETag") == "\"v-lamp\"")
            let hit = try await harness.get("/api/v1/tagged/lamp")
            #expect(hit.headers.first(name: "X-Cache") == "hit")
            #expect(hit.headers.first(name: "ETag") == "\"v-lamp\"")
            #expect(try await harness.get("/api/v1/tagged/lamp", headers: ["If-None-Match": "\"v-lamp\""]).status == .notModified)
            let created = try await harness.send(.post, "/api/v1/tagged", headers: ["Authorization": "Bearer admin-token"], body: #"{"name":"x"}"#)
            #expect(created.status == .created)
            #expect(created.headers.first(name: "ETag") == "\"v-new\"")
        }
    }

    @Test func noContentSendsNoBody() async throws {
        try await GatewayHarness.with(configure: Self.noContentRoute) { harness in
            let response = try await harness.send(.post, "/api/v1/forget", body: #"{"name":"x"}"#)
            #expect(response.status == .noContent)
            #expect(response.body.isEmpty)
            #expect(response.headers.first(name: "Content-Type") == nil)
            #expect(harness.calls["items.create"] == 1)
        }
    }

    @Test func aSuccessfulWriteDropsTheEntriesItNamesBeforeAnswering() async throws {
        try await GatewayHarness.with(configure: Self.renameRoute) { harness in
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "miss")
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "hit")
            #expect(try await harness.get("/api/v1/items/desk").headers.first(name: "X-Cache") == "miss")

            let denied = try await harness.send(.post, "/api/v1/items/lamp/rename", body: #"{"name":"x"}"#)
            #expect(denied.status == .unauthorized)
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "hit")

            let renamed = try await harness.send(
                .post,
                "/api/v1/items/lamp/rename",
                headers: ["Authorization": "Bearer admin-token"],
                body: #"{"name":"x"}"#
            )
            #expect(renamed.status == .ok)
            #expect(try await harness.get("/api/v1/items/lamp").headers.first(name: "X-Cache") == "miss")
            #expect(try await harness.get("/api/v1/items/desk").headers.first(name: "X-Cache") == "hit")
        }
    }

    @Test func aHandlerRouteHasTheSamePipelineAsAnEndpointRoute() async throws {
        try await GatewayHarness.with(configure: Self.statusRoute) { harness in
            #expect(try await harness.get("/ops/status").status == .unauthorized)
            #expect(try await harness.get("/ops/status", headers: ["Authorization": "Bearer customer-token"]).status == .forbidden)
            let answer = try await harness.get("/ops/status", headers: ["Authorization": "Bearer admin-token"])
            #expect(answer.status == .ok)
            #expect(try JSONDecoder().decode(OpsStatus.self, from: Data(answer.body)) == OpsStatus(healthy: true))
            let failed = try await harness.get("/ops/status?fail=1", headers: ["Authorization": "Bearer admin-token"])
            #expect(failed.status == .conflict)
            #expect(failed.problem?.detail == "asked to fail")
            #expect(harness.gateway.routes.contains { $0.description == "GET /ops/status" && $0.access == .authenticated("admin") })
        }
    }

    @Test func aFailureThatSaysWhenToRetryGetsRetryAfter() async throws {
        try await GatewayHarness.with(configure: Self.busyRoute) { harness in
            let response = try await harness.get("/api/v1/busy")
            #expect(response.status == .tooManyRequests)
            #expect(response.headers.first(name: "Retry-After") == "42")
        }
    }

    private static func polledRoute(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.get, "/ops/polled", traced: false) { _ in OpsStatus(healthy: true) }
    }

    @Test func probesAndUntracedRoutesAreCountedButNotTraced() async throws {
        try await GatewayHarness.with(configure: Self.polledRoute) { (harness: GatewayHarness) async throws in
            #expect(try await harness.get("/health").status == .ok)
            #expect(try await harness.get("/ops/polled").status == .ok)
            #expect(try await harness.get("/api/v1/items/lamp").status == .ok)
            let roots = harness.tracer.store.recentTraces().compactMap { $0.rootSpan?.operationName }
            #expect(roots.contains("GET /api/v1/items/{id}"))
            #expect(!roots.contains { $0.contains("/health") || $0.contains("/ops/polled") })
            #expect(harness.metrics.exposition().contains(#"emporium_http_requests_total{method="GET",route="/health",status="200"} 1"#))
        }
    }
}

/// A failure that knows when to try again.
struct Throttled: ServiceFailure {
    var seconds: Int
    var retryAfter: Duration? { .seconds(seconds) }
    var problemType: String { "throttled" }
    var detail: String { "Too many calls; try again in \(seconds) seconds." }
}

/// What the handler route of these tests answers.
struct OpsStatus: Codable, Sendable, Equatable {
    var healthy: Bool
}
