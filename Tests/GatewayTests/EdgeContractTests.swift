import Foundation
import Gateway
import HTTP
import ServiceKit
import Telemetry
import TestSupport
import Testing

/// What a client probing the edge sees, as an OpenAPI fuzzer tried it: a wrong method is 405 even under the web
/// store's mount, bodies are checked member by member, and no response shows a Swift type or enum case.
@Suite struct EdgeContractTests {
    /// A body with a list, for member paths inside arrays.
    struct Batch: Codable, Sendable {
        var items: [NewItem]
    }

    /// A body with integers and a floating-point member.
    struct Stocking: Codable, Sendable {
        var name: String
        var count: Int
        var counts: [Int]?
        var weight: Double?
    }

    /// A directory with an `index.html`, removed when the test ends.
    private static func withSite<Result>(_ body: (StaticFiles) async throws -> Result) async throws -> Result {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-edge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: site) }
        try Data("<!doctype html><title>Emporium</title>".utf8).write(to: site.appendingPathComponent("index.html"))
        return try await body(StaticFiles(directory: site.path))
    }

    /// The harness's routes plus a POST-only path, a body with a list, a handler's own problem, a tight rate-limit
    /// class and the web store mounted at `/`.
    private static func edgeRoutes(_ files: StaticFiles) -> (inout Gateway, GatewayHarnessParts) -> Void {
        { gateway, _ in
            gateway.route(.post, "/api/v1/login", to: ItemsEndpoints.create) { try $0.decodeBody(NewItem.self) }
            gateway.route(.post, "/api/v1/batch") { try $0.decodeBody(Batch.self).items.count }
            gateway.route(.post, "/api/v1/stock") { try $0.decodeBody(Stocking.self).count }
            gateway.route(.get, "/api/v1/tight", rateLimitClass: "tight") { _ in 1 }
            gateway.route(.get, "/api/v1/precondition") { _ -> Int in
                throw GatewayError(status: .preconditionRequired, detail: "Send If-Match with the item's ETag.")
            }
            gateway.route(.get, "/api/v1/price") { request -> Int in
                guard let text = request.queryParameter("max"), let value = Int(text) else {
                    throw GatewayError.invalidField("max", "must be an integer")
                }
                return value
            }
            gateway.route(.get, "/api/v1/busy", rateLimitClass: nil) { _ -> Item in throw Throttled(seconds: 42) }
            gateway.mount(files, at: "/")
        }
    }

    private static let configuration = Gateway.Configuration(rateLimits: [
        RateLimitPolicy(name: "default", limit: 10_000, window: .seconds(60)),
        RateLimitPolicy(name: "tight", limit: 1, window: .seconds(60)),
    ])

    // MARK: - 405

    @Test func aWrongMethodOnAnAPIPathIs405WithAllowEvenWithTheWebStoreMountedAtTheRoot() async throws {
        try await Self.withSite { files in
            try await GatewayHarness.with(configuration: Self.configuration, configure: Self.edgeRoutes(files)) { harness in
                for method in [HTTPMethod.get, .head, .put, .delete, .options] {
                    let response = try await harness.send(method, "/api/v1/login")
                    #expect(response.status == .methodNotAllowed, "\(method)")
                    #expect(response.headers.first(name: "Allow") == "POST", "\(method)")
                    if method != .head {
                        #expect(response.problem?.type == "urn:emporium:problem:method-not-allowed", "\(method)")
                        #expect(response.problem?.detail == "This path does not answer \(method); it answers POST.", "\(method)")
                    }
                }
                let onGetPath = try await harness.send(.post, "/api/v1/items/lamp")
                #expect(onGetPath.status == .methodNotAllowed)
                #expect(onGetPath.headers.first(name: "Allow") == "GET, HEAD")
                // HEAD is answered wherever GET is; the web store still serves what no route claims.
                #expect(try await harness.send(.head, "/api/v1/items/lamp").status == .ok)
                #expect(try await harness.get("/").status == .ok)
                let unknown = try await harness.get("/api/v1/nothing")
                #expect(unknown.status == .notFound)
                #expect(unknown.problem?.type == "urn:emporium:problem:not-found")
            }
        }
    }

    // MARK: - Bodies

    @Test(arguments: [
        (#"{"name":7}"#, "name", "must be a string"),
        (#"{}"#, "name", "is required"),
        (#"{"name":null}"#, "name", "must be a string, not null"),
        (#"{"name":"lamp","colour":"red"}"#, "colour", "is not a field of this request"),
    ])
    func aBodyThatIsNotTheRequestNamesTheMemberAndWhatIsWrongWithIt(body: String, field: String, message: String) async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.send(.post, "/api/v1/items", headers: ["Authorization": "Bearer admin-token"], body: body)
            #expect(response.status == .badRequest)
            let problem = try #require(response.problem)
            #expect(problem.type == "urn:emporium:problem:invalid-body")
            #expect(problem.errors == [FieldError(field: field, message: message)])
            #expect(problem.detail == "The field \(field) \(message).")
            #expect(harness.calls["items.create"] == 0)
        }
    }

    @Test func membersInsideListsAreNamedByTheirPathAndANullOptionalIsNoUnknownMember() async throws {
        try await Self.withSite { files in
            try await GatewayHarness.with(configuration: Self.configuration, configure: Self.edgeRoutes(files)) { harness in
                let unknown = try await harness.send(.post, "/api/v1/batch", body: #"{"items":[{"name":"a"},{"name":"b","size":3,"note":null}]}"#)
                #expect(unknown.status == .badRequest)
                #expect(unknown.problem?.errors == [FieldError(field: "items.1.size", message: "is not a field of this request")])

                let missing = try await harness.send(.post, "/api/v1/batch", body: #"{"items":[{"name":"a"},{}]}"#)
                #expect(missing.problem?.errors == [FieldError(field: "items.1.name", message: "is required")])

                let notJSON = try await harness.send(.post, "/api/v1/batch", body: "{items:")
                #expect(notJSON.problem?.type == "urn:emporium:problem:malformed-json")
                #expect(notJSON.problem?.errors == nil)

                let accepted = try await harness.send(.post, "/api/v1/batch", body: #"{"items":[{"name":"a"},{"name":"b"}]}"#)
                #expect(accepted.status == .ok)
                #expect(accepted.text == "2")

                // A member twice in one object is refused wherever it is, escapes decoded; the same name in two
                // objects is not a duplicate.
                for (body, field) in [
                    (#"{"items":[{"name":"a"}],"items":[]}"#, "items"),
                    (#"{"items":[{"name":"a"},{"name":"b","name":"c"}]}"#, "items.1.name"),
                    (#"{"items":[{"name":"a","n\u0061me":"b"}]}"#, "items.0.name"),
                ] {
                    let duplicate = try await harness.send(.post, "/api/v1/batch", body: body)
                    #expect(duplicate.status == .badRequest, "\(body)")
                    #expect(duplicate.problem?.type == "urn:emporium:problem:invalid-body")
                    #expect(duplicate.problem?.errors == [FieldError(field: field, message: "appears more than once")], "\(body)")
                }
            }
        }
    }

    /// Foundation's decoder says only that the data is corrupted, naming no member, when a number does not fit the
    /// integer it is decoded as: the gateway finds the member itself.
    @Test func aNumberAnIntegerCannotHoldIsNamedByItsPath() async throws {
        try await Self.withSite { files in
            try await GatewayHarness.with(configuration: Self.configuration, configure: Self.edgeRoutes(files)) { harness in
                for (body, field, message) in [
                    (#"{"name":"a","count":1.5}"#, "count", "must be an integer"),
                    (#"{"name":"a","count":123456789012345678901234567890}"#, "count", "is a number out of range"),
                    (#"{"name":"a","count":-123456789012345678901234567890}"#, "count", "is a number out of range"),
                    (#"{"name":"a","count":18446744073709551615}"#, "count", "is a number out of range"),
                    (#"{"weight":2.5,"name":"a","count":1,"counts":[1,2.5]}"#, "counts.1", "must be an integer"),
                ] {
                    let response = try await harness.send(.post, "/api/v1/stock", body: body)
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(response.problem?.type == "urn:emporium:problem:invalid-body", "\(body)")
                    #expect(response.problem?.errors == [FieldError(field: field, message: message)], "\(body)")
                    #expect(response.problem?.detail == "The field \(field) \(message).", "\(body)")
                }
                // A fraction where a floating-point number belongs, and the largest 64-bit integer, are read.
                let read = try await harness.send(.post, "/api/v1/stock", body: #"{"name":"a","count":9223372036854775807,"weight":2.5}"#)
                #expect(read.status == .ok, "\(read.text)")
                #expect(read.text == "9223372036854775807")
            }
        }
    }

    @Test func aDeclaredValidationFailureListsItsFields() async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.send(.post, "/api/v1/items", headers: ["Authorization": "Bearer admin-token"], body: #"{"name":""}"#)
            #expect(response.status == .unprocessableContent)
            let problem = try #require(response.problem)
            #expect(problem.type == "urn:emporium:problem:invalid-item")
            #expect(problem.detail == "The field name must not be empty.")
            #expect(problem.errors == [FieldError(field: "name", message: "must not be empty")])
        }
    }

    @Test func anUndeclaredErrorIsLoggedForTheOperatorAndNotShownToTheClient() async throws {
        let records = RecordingLogHandler.Records()
        try await GatewayHarness.with(logRecords: records) { harness in
            let response = try await harness.get("/api/v1/boom", headers: ["X-Request-Id": "boom-1"])
            #expect(response.status == .badGateway)
            #expect(response.problem?.type == "urn:emporium:problem:upstream-error")
            #expect(!response.text.contains("Boom"))
            let logged = try #require(records.all.first { $0.message.description == "route failed" })
            #expect(logged.metadata?["request_id"] == "boom-1")
            #expect(logged.metadata?["error"].map { "\($0)".contains("Boom") } == true)
        }
    }

    // MARK: - X-Request-Id

    @Test(arguments: ["has space", "tab\there", String(repeating: "x", count: 129), "caf\u{E9}"])
    func anUnusableRequestIdIsReplacedNotRefused(id: String) async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.get("/api/v1/items/lamp", headers: ["X-Request-Id": id])
            #expect(response.status == .ok)
            let replaced = try #require(response.headers.first(name: "X-Request-Id"))
            #expect(replaced != id)
            #expect(replaced.wholeMatch(of: #/[0-9a-f]{32}/#) != nil)
        }
    }

    // MARK: - No Swift in any problem

    /// Words that would only be in a body by accident: the harness's and the platform's Swift types.
    private static let swiftNames = [
        "ItemsError", "Throttled", "GatewayError", "ResilienceError", "RemoteCallError", "DecodingError", "InjectedFault",
        "Boom", "NewItem", "Batch", "Optional", "Swift.", "CodingKeys", "ServiceFailure", "HTTPParserError",
    ]

    /// Checks that `response` is a problem of a specific type whose every text is for people.
    private static func expectReadable(_ response: HTTPClientResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers.first(name: "Content-Type") == Problem.contentType, "\(what)", sourceLocation: sourceLocation)
        guard let problem = response.problem else {
            Issue.record("\(what): not a problem: \(response.text)", sourceLocation: sourceLocation)
            return
        }
        let prefix = "urn:emporium:problem:"
        let slug = problem.type.hasPrefix(prefix) ? String(problem.type.dropFirst(prefix.count)) : ""
        #expect(slug.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*/#) != nil, "\(what): type \(problem.type)", sourceLocation: sourceLocation)
        let detail = problem.detail ?? ""
        #expect(detail.first?.isUppercase == true && detail.hasSuffix("."), "\(what): detail \(detail)", sourceLocation: sourceLocation)
        // An enum case dump looks like `notFound("x")`, `weakPassword(...)`; a type's like `Boom()`.
        #expect(response.text.firstMatch(of: #/[A-Za-z_]\(/#) == nil, "\(what): \(response.text)", sourceLocation: sourceLocation)
        for name in swiftNames {
            #expect(!response.text.contains(name), "\(what) names \(name): \(response.text)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyProblemTheGatewayProducesHasASpecificTypeAndWordsForPeople() async throws {
        let admin: HTTPHeaders = ["Authorization": "Bearer admin-token"]
        try await Self.withSite { files in
            try await GatewayHarness.with(configuration: Self.configuration, configure: Self.edgeRoutes(files)) { harness in
                let requests: [(String, HTTPMethod, String, HTTPHeaders, String?)] = [
                    ("no route", .get, "/api/v1/nothing/at/all", [:], nil),
                    ("no file", .get, "/missing.txt", [:], nil),
                    ("path traversal", .get, "/%2e%2e/secret", [:], nil),
                    ("wrong method", .get, "/api/v1/login", [:], nil),
                    ("no token", .post, "/api/v1/items", [:], #"{"name":"x"}"#),
                    ("invalid token", .post, "/api/v1/items", ["Authorization": "Bearer forged"], #"{"name":"x"}"#),
                    ("not a bearer token", .post, "/api/v1/items", ["Authorization": "Basic YTpi"], #"{"name":"x"}"#),
                    ("wrong role", .post, "/api/v1/items", ["Authorization": "Bearer customer-token"], #"{"name":"x"}"#),
                    ("no body", .post, "/api/v1/items", admin, nil),
                    ("not JSON", .post, "/api/v1/items", admin, "{not json"),
                    ("not an object", .post, "/api/v1/items", admin, "[1]"),
                    ("wrong type", .post, "/api/v1/items", admin, #"{"name":7}"#),
                    ("missing member", .post, "/api/v1/items", admin, "{}"),
                    ("null member", .post, "/api/v1/items", admin, #"{"name":null}"#),
                    ("unknown member", .post, "/api/v1/items", admin, #"{"name":"x","colour":"red"}"#),
                    ("two unknown members", .post, "/api/v1/items", admin, #"{"name":"x","colour":"red","size":1}"#),
                    ("declared validation failure", .post, "/api/v1/items", admin, #"{"name":""}"#),
                    ("declared failure with a value", .get, "/api/v1/items/missing", [:], nil),
                    ("declared failure without one", .get, "/api/v1/items/sold-out", [:], nil),
                    ("declared failure with Retry-After", .get, "/api/v1/busy", [:], nil),
                    ("a handler's own problem", .get, "/api/v1/precondition", [:], nil),
                    ("a bad query parameter", .get, "/api/v1/price?max=lots", [:], nil),
                    ("no instance", .get, "/api/v1/ghosts/casper", [:], nil),
                    ("undeclared error", .get, "/api/v1/boom", [:], nil),
                    ("timeout", .get, "/api/v1/slow", [:], nil),
                    ("rate limit, first", .get, "/api/v1/tight", [:], nil),
                    ("rate limited", .get, "/api/v1/tight", [:], nil),
                ]
                for (what, method, target, headers, body) in requests {
                    let response = try await harness.send(method, target, headers: headers, body: body)
                    if response.status.code < 400 { continue }
                    Self.expectReadable(response, what)
                }

                // A request the parser rejects (no Host) never reaches a route.
                let connection = try await harness.connect()
                try await connection.write(Array("GET /health HTTP/1.1\r\n\r\n".utf8))
                Self.expectReadable(try await connection.readResponse(timeout: .seconds(5)), "parser error")
                await connection.close()
            }
        }

        // The breaker opens after two failures; the bulkhead refuses a second call while one is in flight.
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 50
        breaker.slidingWindow = .countBased(size: 2)
        breaker.minimumNumberOfCalls = 2
        breaker.waitDurationInOpenState = .seconds(30)
        try await GatewayHarness.with(clientConfiguration: .init(breaker: breaker, retry: .never)) { harness in
            _ = try await harness.get("/api/v1/boom")
            _ = try await harness.get("/api/v1/boom")
            let open = try await harness.get("/api/v1/boom")
            #expect(open.status == .serviceUnavailable)
            Self.expectReadable(open, "circuit open")
        }
        try await GatewayHarness.with(clientConfiguration: .init(maxConcurrentCalls: 1, maxQueuedCalls: 0)) { harness in
            let first = try await harness.connect()
            let inFlight = Task { try await first.send(.get, "/api/v1/gated/a", timeout: .seconds(10)) }
            try await waitUntil("the first call waits at the gate") { harness.gate.arrivals == 1 }
            let refused = try await harness.get("/api/v1/items/lamp")
            #expect(refused.status == .serviceUnavailable)
            Self.expectReadable(refused, "bulkhead full")
            harness.gate.open()
            #expect(try await inFlight.value.status == .ok)
            await first.close()
        }
    }
}
