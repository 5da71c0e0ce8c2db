import Foundation
import Gateway
import HTTP
import Testing

/// Routes the application answers itself, for guests and signed-in callers alike.
@Suite struct RouteResponseTests {
    struct Who: Codable { var subject: String }

    static func routes(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.get, "/api/v1/whoami", access: .optionallyAuthenticated) { request in
            let subject = request.principal?.subject ?? "guest"
            return try RouteResponse(
                status: subject == "guest" ? .accepted : .ok,
                json: Who(subject: subject),
                headers: ["X-Who": subject],
                etag: "\"1\""
            )
        }
    }

    @Test func aTokenIsOptionalButAnInvalidOneIsRefusedAndTheRouteSetsStatusHeadersAndETag() async throws {
        try await GatewayHarness.with(configure: Self.routes) { harness in
            let guest = try await harness.get("/api/v1/whoami")
            #expect(guest.status == .accepted)
            #expect(guest.headers.first(name: "X-Who") == "guest")
            #expect(guest.headers.first(name: "ETag") == "\"1\"")
            #expect(guest.headers.first(name: "Content-Type") == "application/json")
            #expect(try JSONDecoder().decode(Who.self, from: Data(guest.body)).subject == "guest")
            let alice = try await harness.get("/api/v1/whoami", headers: ["Authorization": "Bearer customer-token"])
            #expect(alice.status == .ok)
            #expect(alice.headers.first(name: "X-Who") == "alice")
            let forged = try await harness.get("/api/v1/whoami", headers: ["Authorization": "Bearer forged"])
            #expect(forged.status == .unauthorized)
            #expect(forged.headers.first(name: "X-Who") == nil)
        }
    }
}
