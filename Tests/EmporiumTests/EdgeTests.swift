import Foundation
import HTTP
import Testing

extension WholeSystem {
    /// What an OpenAPI fuzzer found against the running server, tried again the same way: over HTTP, as a new user.
    @Suite struct EdgeTests {
        struct Problem: Decodable {
            struct FieldError: Decodable, Equatable {
                var field: String
                var message: String
            }
            var type: String
            var status: Int
            var detail: String?
            var errors: [FieldError]?
        }

        private static func problem(_ response: HTTPClientResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> Problem {
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
            // No Swift enum case dumps (`weakPassword("…")`, `invalidCursor`) anywhere in the body.
            #expect(response.text.firstMatch(of: #/[A-Za-z_]\(/#) == nil, "\(response.text)", sourceLocation: sourceLocation)
            return try JSONDecoder().decode(Problem.self, from: Data(response.body))
        }

        private static func sendRaw(_ shop: ShopHarness, _ method: HTTPMethod, _ target: String, json: String) async throws -> HTTPClientResponse {
            try await shop.connection.send(method, target, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
        }

        @Test func aWrongMethodOnAnAPIPathIs405WithAllowNotTheStoresNoSuchFile() async throws {
            try await ShopHarness.with { shop in
                for method in [HTTPMethod.get, .put, .delete, .options] {
                    let response = try await shop.send(method, "/api/v1/auth/login")
                    #expect(response.status == .methodNotAllowed, "\(method)")
                    #expect(response.headers.first(name: "Allow") == "POST", "\(method)")
                    #expect(try Self.problem(response).type == "urn:emporium:problem:method-not-allowed")
                }
                let product = try await shop.send(.post, "/api/v1/products/p-00001")
                #expect(product.status == .methodNotAllowed)
                #expect(product.headers.first(name: "Allow") == "GET, HEAD")
                #expect(try await shop.send(.head, "/api/v1/products/p-00001").status == .ok)
                #expect(try await shop.send(.get, "/").status == .ok)
            }
        }

        @Test func failuresHaveTheirOwnTypeASentenceAndTheirFields() async throws {
            try await ShopHarness.with { shop in
                let weak = try Self.problem(
                    try await shop.send(.post, "/api/v1/auth/register", json: ["email": "weak@example.com", "password": "aaaaaaaaaaaa"])
                )
                #expect(weak.status == 422)
                #expect(weak.type == "urn:emporium:problem:weak-password")
                #expect(weak.detail == "The password is too weak: use more than two different characters.")
                #expect(weak.errors == [.init(field: "password", message: "is too weak: use more than two different characters")])

                let unknown = try Self.problem(
                    try await Self.sendRaw(
                        shop,
                        .post,
                        "/api/v1/auth/register",
                        json: #"{"email":"a@example.com","password":"long enough pass","nick":"a"}"#
                    )
                )
                #expect(unknown.status == 400)
                #expect(unknown.type == "urn:emporium:problem:invalid-body")
                #expect(unknown.errors == [.init(field: "nick", message: "is not a field of this request")])

                let missing = try Self.problem(try await shop.send(.get, "/api/v1/products/p-99999"))
                #expect(missing.type == "urn:emporium:problem:product-not-found")
                #expect(missing.detail == "No product has the id p-99999.")

                let cursor = try Self.problem(try await shop.send(.get, "/api/v1/products?cursor=not-ours"))
                #expect(cursor.status == 422)
                #expect(cursor.type == "urn:emporium:problem:invalid-cursor")
                #expect(cursor.errors?.map(\.field) == ["cursor"])

                let limit = try Self.problem(try await shop.send(.get, "/api/v1/products?limit=0"))
                #expect(limit.type == "urn:emporium:problem:validation-failed")
                #expect(limit.errors == [.init(field: "limit", message: "must be between 1 and 100")])

                let search = try Self.problem(try await shop.send(.get, "/api/v1/search?q=lamp&limit=500"))
                #expect(search.status == 400)
                #expect(search.type == "urn:emporium:problem:invalid-query")
                #expect(search.detail == "The search query is not valid: limit must be between 1 and 100.")
                #expect(search.errors == [.init(field: "limit", message: "must be between 1 and 100")])
            }
        }

        @Test func anEmptyCursorIsTheFirstPage() async throws {
            try await ShopHarness.with { shop in
                let first = try await shop.send(.get, "/api/v1/products?limit=5")
                let empty = try await shop.send(.get, "/api/v1/products?limit=5&cursor=")
                #expect(empty.status == .ok)
                #expect(empty.body == first.body)
            }
        }

        @Test func anUnusableRequestIdIsReplacedNotRefused() async throws {
            try await ShopHarness.with { shop in
                let response = try await shop.send(.get, "/api/v1/categories", headers: ["X-Request-Id": "has a space"])
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "X-Request-Id")?.wholeMatch(of: #/[0-9a-f]{32}/#) != nil)
                let kept = try await shop.send(.get, "/api/v1/categories", headers: ["X-Request-Id": "trace-me-42"])
                #expect(kept.headers.first(name: "X-Request-Id") == "trace-me-42")
            }
        }
    }
}
