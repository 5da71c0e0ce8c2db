import Emporium
import Foundation
import HTTP
import TestSupport
import Testing

extension WholeSystem {
    /// Malformed bodies at every operation of `Docs/openapi.yaml` that takes JSON, sent by a caller the route lets in:
    /// each is a `4xx` problem whose `detail` is a sentence, never a `5xx` and never a request left unanswered, and the
    /// server answers `/health` afterwards. An operation the document gives a JSON body and the table below does not
    /// know fails the test.
    @Suite struct MalformedInputTests {
        /// Who sends an operation's bodies: a caller the route lets in.
        enum Caller: Sendable {
            case anyone, customer, admin
        }

        /// How to reach one operation's body decoding: a valid body and where in it an integer and a string are.
        struct Target: Sendable {
            var caller: Caller
            /// Not in the document yet (another branch adds it): skipped until it is.
            var upcoming = false
            var path: String
            /// A body the route takes.
            var body: JSONText
            /// Where the body has an integer, if it has one.
            var integer: [String]?
            /// Where the body has a string, if it has one.
            var string: [String]?
            /// Header fields the route needs before it reads the body (`If-Match`); `Idempotency-Key` is added for
            /// `idempotent` routes, a new key for every request.
            var headers: HTTPHeaders = [:]
            var idempotent = false
        }

        static let card: JSONText = ["number": "4242424242424242", "expMonth": 12, "expYear": 2031, "cvc": "123"]
        static let address: JSONText = ["name": "Mal Formed", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"]
        static let draft: JSONText = [
            "sku": "MALFORMED-1", "name": "Probe Kettle", "description": "A kettle made to be sent in every wrong shape.",
            "price": ["minorUnits": 1999, "currency": "EUR"], "category": "cookware",
        ]

        /// Every operation with a JSON body, keyed `METHOD /path/{param}` as in the document.
        static let targets: [String: Target] = [
            "POST /api/v1/auth/register": Target(
                caller: .anyone,
                path: "/api/v1/auth/register",
                body: ["email": "mal.formed@example.com", "password": "correct horse battery"],
                string: ["email"]
            ),
            "POST /api/v1/auth/login": Target(
                caller: .anyone,
                path: "/api/v1/auth/login",
                body: ["email": "mal.customer@example.com", "password": "correct horse battery"],
                string: ["email"]
            ),
            "POST /api/v1/auth/refresh": Target(caller: .anyone, path: "/api/v1/auth/refresh", body: ["token": "not-a-token"], string: ["token"]),
            "POST /api/v1/auth/logout": Target(caller: .anyone, path: "/api/v1/auth/logout", body: ["token": "not-a-token"], string: ["token"]),
            "PUT /api/v1/me/profile": Target(
                caller: .customer,
                path: "/api/v1/me/profile",
                body: ["displayName": "Mal Formed", "marketingOptIn": false],
                string: ["displayName"]
            ),
            "POST /api/v1/me/addresses": Target(caller: .customer, path: "/api/v1/me/addresses", body: address, string: ["postalCode"]),
            "PUT /api/v1/me/addresses/{id}": Target(
                caller: .customer,
                path: "/api/v1/me/addresses/adr_nothing",
                body: address,
                string: ["postalCode"]
            ),
            "PUT /admin/faults/{target}": Target(
                caller: .admin,
                path: "/admin/faults/catalog.categories",
                body: ["latencyMs": 0, "errorRate": 0],
                integer: ["latencyMs"]
            ),
            "POST /api/v1/admin/products": Target(
                caller: .admin,
                path: "/api/v1/admin/products",
                body: draft,
                integer: ["price", "minorUnits"],
                string: ["name"]
            ),
            "PUT /api/v1/admin/products/{id}": Target(
                caller: .admin,
                path: "/api/v1/admin/products/p-00001",
                body: draft.replacing(["sku"], with: "CKW-00001"),
                integer: ["price", "minorUnits"],
                string: ["name"],
                headers: ["If-Match": "\"1\""]
            ),
            "POST /api/v1/admin/inventory/{productId}/adjustments": Target(
                caller: .admin,
                path: "/api/v1/admin/inventory/p-00001/adjustments",
                body: ["warehouse": "berlin", "delta": 3, "reason": "a delivery counted"],
                integer: ["delta"],
                string: ["reason"]
            ),
            "PUT /api/v1/admin/inventory/{productId}/threshold": Target(
                caller: .admin,
                path: "/api/v1/admin/inventory/p-00001/threshold",
                body: ["threshold": 3],
                integer: ["threshold"]
            ),
            "POST /api/v1/admin/payments/{id}/refunds": Target(
                caller: .admin,
                path: "/api/v1/admin/payments/pi_nothing/refunds",
                body: ["amount": ["minorUnits": 100, "currency": "EUR"]],
                integer: ["amount", "minorUnits"],
                string: ["amount", "currency"],
                idempotent: true
            ),
            "POST /api/v1/me/subscription": Target(
                caller: .customer,
                path: "/api/v1/me/subscription",
                body: ["plan": "plus", "card": card],
                integer: ["card", "expMonth"],
                string: ["card", "number"],
                idempotent: true
            ),
            "POST /api/v1/cart/items": Target(
                caller: .customer,
                path: "/api/v1/cart/items",
                body: ["productId": "p-00001", "quantity": 1],
                integer: ["quantity"],
                string: ["productId"]
            ),
            "PUT /api/v1/cart/items/{productId}": Target(
                caller: .customer,
                path: "/api/v1/cart/items/p-00001",
                body: ["quantity": 2],
                integer: ["quantity"]
            ),
            "POST /api/v1/cart/merge": Target(
                caller: .customer,
                path: "/api/v1/cart/merge",
                body: ["cartToken": "a-token-never-given"],
                string: ["cartToken"]
            ),
            "POST /api/v1/checkout": Target(
                caller: .customer,
                path: "/api/v1/checkout",
                body: ["addressId": "adr_nothing", "card": card],
                integer: ["card", "expYear"],
                string: ["addressId"],
                idempotent: true
            ),
            "POST /api/v1/orders/{id}/returns": Target(
                caller: .customer,
                path: "/api/v1/orders/o-nothing/returns",
                body: ["lines": [["productId": "p-00001", "quantity": 1]]],
                integer: ["lines", "0", "quantity"],
                string: ["lines", "0", "productId"]
            ),
            "POST /api/v1/events/product-viewed": Target(
                caller: .customer,
                upcoming: true,
                path: "/api/v1/events/product-viewed",
                body: ["productId": "p-00001"],
                string: ["productId"]
            ),
        ]

        /// A malformed body made of a target's valid one: what it is, its bytes, and the member the problem must name
        /// in `errors` when the decoder can say which.
        struct Mutation {
            var name: String
            var bytes: [UInt8]
            var field: String?
        }

        /// The malformed bodies made of `target`'s valid one.
        static func mutations(of target: Target) -> [Mutation] {
            let body = target.body
            let valid = body.bytes
            var list = [
                Mutation(name: "a truncated body", bytes: Array(valid.prefix(valid.count / 2))),
                Mutation(
                    name: "10,000 nested arrays",
                    bytes: Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000)
                ),
            ]
            // Numbers where an integer is expected; where the body has none, where a string is. The 64-bit extremes
            // decode, and reach the service's own checks and arithmetic; 1e400 is beyond what the parser reads.
            let numeric = target.integer ?? target.string ?? []
            let place = numeric.joined(separator: ".")
            for number in ["1e400", "123456789012345678901234567890", "9223372036854775807", "-9223372036854775808", "-0", "1.5"] {
                let named = number != "1e400" && (target.integer == nil || number == "1.5" || number.count > 20)
                list.append(
                    Mutation(name: "\(number) at \(place)", bytes: body.replacing(numeric, with: .literal(number)).bytes, field: named ? place : nil)
                )
            }
            list.append(Mutation(name: "an array for the object", bytes: JSONText.array([body]).bytes))
            if let integer = target.integer {
                let path = integer.joined(separator: ".")
                list.append(Mutation(name: "a string for the integer \(path)", bytes: body.replacing(integer, with: "12").bytes, field: path))
            } else if let string = target.string {
                let path = string.joined(separator: ".")
                list.append(Mutation(name: "a number for the string \(path)", bytes: body.replacing(string, with: 12).bytes, field: path))
            }
            if let member = target.string ?? target.integer {
                let path = member.joined(separator: ".")
                list.append(Mutation(name: "an object for \(path)", bytes: body.replacing(member, with: .object([])).bytes, field: path))
            }
            if case .object(let members) = body, let first = members.first {
                let name = String(decoding: first.name, as: UTF8.self)
                list.append(Mutation(name: "a member twice", bytes: body.duplicatingFirstMember(as: first.value).bytes, field: name))
            }
            let invalid: [UInt8] = [0xC3, 0x28, 0xFF, 0xFE]
            if let string = target.string {
                let path = string.joined(separator: ".")
                list.append(Mutation(name: "bytes that are not UTF-8 in \(path)", bytes: body.replacing(string, with: .rawString(invalid)).bytes))
            } else {
                list.append(Mutation(name: "bytes that are not UTF-8 in a member's name", bytes: body.renamingFirstMember(to: invalid).bytes))
            }
            list.append(Mutation(name: "an empty body", bytes: []))
            list.append(Mutation(name: "null", bytes: Array("null".utf8)))
            return list
        }

        struct Problem: Decodable {
            var type: String
            var status: Int
            var detail: String?
        }

        @Test func everyJSONOperationAnswersMalformedBodiesWithAProblemAndKeepsServing() async throws {
            let operations = DocumentedOperation.all(in: try DocumentedOperation.document()).filter(\.takesJSON)
            #expect(operations.count >= 18, "the reader found \(operations.count) operations with a JSON body in Docs/openapi.yaml")
            let uncovered = operations.map(\.key).filter { Self.targets[$0] == nil }
            #expect(uncovered == [], "operations of Docs/openapi.yaml with a JSON body that the table does not cover")
            let documented = Set(operations.map(\.key))
            let stale = Self.targets.filter { !$0.value.upcoming && !documented.contains($0.key) }.map(\.key).sorted()
            #expect(stale == [], "the table covers operations that Docs/openapi.yaml does not give a JSON body")

            try await ShopHarness.with { shop in
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let customer = try await AccountEndToEndTests.customer(shop, "mal.customer@example.com").token
                let wire = try ProbeClient(port: shop.system.port)
                for operation in operations {
                    guard let target = Self.targets[operation.key] else { continue }
                    let method = HTTPMethod(rawValue: operation.method)
                    let token: String?
                    switch target.caller {
                    case .anyone: token = nil
                    case .customer: token = customer
                    case .admin: token = admin
                    }
                    func send(_ bytes: [UInt8]) async -> HTTPClientResponse? {
                        var headers = target.headers
                        if target.idempotent { headers.add(name: "Idempotency-Key", value: UUID().uuidString) }
                        return await wire.send(method, target.path, token: token, headers: headers, body: bytes)
                    }
                    for mutation in Self.mutations(of: target) {
                        guard let response = await send(mutation.bytes) else { continue }
                        let what = "\(operation) with \(mutation.name)"
                        // -0 is a valid JSON number, zero: it is answered as zero is, which may be a success (a threshold of 0).
                        if mutation.name.hasPrefix("-0 "), response.status.code < 400 { continue }
                        Self.expectProblem(response, what)
                        if let field = mutation.field {
                            #expect(
                                response.text.contains("{\"field\":\"\(field)\""),
                                "\(what): the problem does not name \(field): \(response.text)"
                            )
                        }
                    }
                    // The valid body, last (it may create what the others would then collide with), gets past the
                    // decoding: what the malformed ones got was the decoding's doing. Any answer of the service's own (a
                    // refresh token it does not know is 401), but not the decoder's 400, the gateway's refusal of the
                    // caller, a rate limit or a fault.
                    if let valid = await send(target.body.bytes) {
                        let status = valid.status.code
                        let refused = ["unauthorized", "forbidden", "rate-limited"].contains { valid.text.contains("urn:emporium:problem:\($0)\"") }
                        #expect(status != 400 && !refused && status < 500, "\(operation) with a valid body: \(status) \(valid.text)")
                    }
                    let health = await wire.send(.get, "/health")
                    #expect(health?.status.code == 200, "/health after \(operation)")
                }
                await wire.close()
            }
        }

        /// A `4xx` problem whose `detail` is a sentence and names no Swift type.
        static func expectProblem(_ response: HTTPClientResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let status = response.status.code
            #expect((400..<500).contains(status), "\(what): \(status) \(response.text)", sourceLocation: sourceLocation)
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json", "\(what)", sourceLocation: sourceLocation)
            guard let problem = try? JSONDecoder().decode(Problem.self, from: Data(response.body)) else {
                Issue.record("\(what): the body is not a problem: \(response.text)", sourceLocation: sourceLocation)
                return
            }
            #expect(problem.status == status, "\(what)", sourceLocation: sourceLocation)
            let detail = problem.detail ?? ""
            let sentence = detail.first?.isUppercase == true && detail.hasSuffix(".") && detail.contains(" ")
            #expect(sentence, "\(what): detail \"\(detail)\" is not a sentence", sourceLocation: sourceLocation)
            #expect(detail.firstMatch(of: #/[A-Za-z_]\(/#) == nil, "\(what): \(detail)", sourceLocation: sourceLocation)
        }
    }
}
