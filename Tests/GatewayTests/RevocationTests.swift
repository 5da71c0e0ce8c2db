import Foundation
import Gateway
import HTTP
import Messaging
import Testing

/// Tokens of deleted accounts: refused though their signature and expiry are good.
@Suite struct RevocationTests {
    static let customer: HTTPHeaders = ["Authorization": "Bearer customer-token"]

    @Test func aRevokedSubjectsTokenIs401AndOthersStillWork() async throws {
        try await GatewayHarness.with { harness in
            #expect(try await harness.get("/api/v1/customer/items/lamp", headers: Self.customer).status == .ok)
            harness.gateway.revokedSubjects.revoke("alice")
            let refused = try await harness.get("/api/v1/customer/items/lamp", headers: Self.customer)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers.first(name: "WWW-Authenticate") == "Bearer error=\"invalid_token\"")
            #expect(refused.problem?.detail == "The bearer token's account no longer exists.")
            #expect(try await harness.get("/api/v1/items/lamp", headers: Self.customer).status == .ok)
            let admin: HTTPHeaders = ["Authorization": "Bearer admin-token"]
            #expect(try await harness.send(.post, "/api/v1/items", headers: admin, body: #"{"name":"desk"}"#).status == .created)
        }
    }

    @Test func anEventOfARevokingTypeRefusesItsSubjectsTokens() async throws {
        try await GatewayHarness.with(
            configure: { gateway, parts in
                gateway.revokeTokens(on: ["identity.user-deleted.v1"])
                gateway.subscribeInvalidations(to: parts.bus)
            },
            { harness in
                try await harness.bus.deliver([
                    Envelope(source: "/identity", type: "identity.user-deleted.v1", subject: "someone-else", data: Data("{}".utf8))
                ])
                #expect(try await harness.get("/api/v1/customer/items/lamp", headers: Self.customer).status == .ok)
                try await harness.bus.deliver([
                    Envelope(source: "/identity", type: "identity.user-deleted.v1", subject: "alice", data: Data("{}".utf8))
                ])
                #expect(try await harness.get("/api/v1/customer/items/lamp", headers: Self.customer).status == .unauthorized)
                #expect(harness.gateway.revokedSubjects.count == 2)
            }
        )
    }
}
