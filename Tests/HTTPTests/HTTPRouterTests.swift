import HTTP
import Telemetry
import Testing

/// Routing, precedence, 404/405 and middleware, without sockets.
@Suite("HTTP router")
struct HTTPRouterTests {
    private static let context = HTTPRequestContext(logger: Logger(label: "router-test"))

    private static func request(_ method: HTTPMethod, _ target: String) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: ["Host": "t"]))
    }

    private static func route(_ router: HTTPRouter, _ method: HTTPMethod, _ target: String) async throws -> HTTPResponse {
        try await router.respond(to: request(method, target), context: context)
    }

    private static func text(_ response: HTTPResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "<stream>" }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func named(_ name: String) -> HTTPHandler {
        { request, _ in
            let parameters = request.pathParameters.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            return .text(parameters.isEmpty ? name : "\(name) \(parameters)")
        }
    }

    @Test("literal segments win over parameters, parameters over catch-alls, with backtracking")
    func precedence() async throws {
        var router = HTTPRouter()
        router.get("/api/v1/products/{id}", handler: Self.named("product"))
        router.get("/api/v1/products/featured", handler: Self.named("featured"))
        router.get("/api/v1/products/{id}/reviews", handler: Self.named("reviews"))
        router.get("/a/b/c", handler: Self.named("abc"))
        router.get("/a/{x}/d", handler: Self.named("axd"))
        router.get("/files/{path...}", handler: Self.named("files"))
        router.get("/files/readme", handler: Self.named("readme"))
        router.get("/", handler: Self.named("root"))

        #expect(Self.text(try await Self.route(router, .get, "/api/v1/products/featured")) == "featured")
        #expect(Self.text(try await Self.route(router, .get, "/api/v1/products/p7")) == "product id=p7")
        #expect(Self.text(try await Self.route(router, .get, "/api/v1/products/featured/reviews")) == "reviews id=featured")
        #expect(Self.text(try await Self.route(router, .get, "/a/b/c")) == "abc")
        #expect(Self.text(try await Self.route(router, .get, "/a/b/d")) == "axd x=b")
        #expect(Self.text(try await Self.route(router, .get, "/files/readme")) == "readme")
        #expect(Self.text(try await Self.route(router, .get, "/files/docs/guide.md")) == "files path=docs/guide.md")
        #expect(Self.text(try await Self.route(router, .get, "/")) == "root")
        #expect(Self.text(try await Self.route(router, .get, "/api/v1/products/p%207?x=1")) == "product id=p 7")
        #expect(Self.text(try await Self.route(router, .get, "/api/v1/products/")) == "404 Not Found\n")
        #expect(Self.text(try await Self.route(router, .get, "http://example.com/a/b/c?q")) == "abc")
    }

    @Test("an unknown path is 404; a known path with another method is 405 with Allow")
    func notFoundAndMethodNotAllowed() async throws {
        var router = HTTPRouter()
        router.get("/items/{id}", handler: Self.named("get"))
        router.post("/items/{id}", handler: Self.named("post"))
        router.delete("/items/{id}", handler: Self.named("delete"))

        let missing = try await Self.route(router, .get, "/nothing")
        #expect(missing.status == .notFound)

        let wrongMethod = try await Self.route(router, .put, "/items/1")
        #expect(wrongMethod.status == .methodNotAllowed)
        let allow = try #require(wrongMethod.headers.first(name: "Allow"))
        #expect(Set(allow.split(separator: ",").map { $0.trimmingPrefix(" ") }.map(String.init)) == ["GET", "POST", "DELETE", "HEAD"])
    }

    @Test("a catch-all does not take a path a more specific pattern matches for another method: that is 405")
    func catchAllIsAFallback() async throws {
        var router = HTTPRouter()
        router.get("/{path...}", handler: Self.named("file"))
        router.post("/api/login", handler: Self.named("login"))
        router.get("/api/items/{id}", handler: Self.named("item"))
        router.post("/files/upload", handler: Self.named("upload"))
        router.get("/files/{path...}", handler: Self.named("files"))

        for method in [HTTPMethod.get, .head, .options, .put] {
            let response = try await Self.route(router, method, "/api/login")
            #expect(response.status == .methodNotAllowed, "\(method)")
            #expect(response.headers.first(name: "Allow") == "POST", "\(method)")
        }
        let delete = try await Self.route(router, .delete, "/api/items/7")
        #expect(delete.status == .methodNotAllowed)
        #expect(delete.headers.first(name: "Allow") == "GET, HEAD")
        #expect(try await Self.route(router, .get, "/files/upload").headers.first(name: "Allow") == "POST")
        // Paths no specific pattern matches still fall through to the catch-alls.
        #expect(Self.text(try await Self.route(router, .get, "/api/logins")) == "file path=api/logins")
        #expect(Self.text(try await Self.route(router, .get, "/api/items/7/reviews")) == "file path=api/items/7/reviews")
        #expect(Self.text(try await Self.route(router, .get, "/files/readme.md")) == "files path=readme.md")
        #expect(Self.text(try await Self.route(router, .post, "/api/login")) == "login")
    }

    @Test("HEAD falls back to GET; an explicit HEAD route wins")
    func headFallsBackToGet() async throws {
        var router = HTTPRouter()
        router.get("/doc", handler: Self.named("get doc"))
        router.get("/other", handler: Self.named("get other"))
        router.on(.head, "/other", handler: Self.named("head other"))
        #expect(Self.text(try await Self.route(router, .head, "/doc")) == "get doc")
        #expect(Self.text(try await Self.route(router, .head, "/other")) == "head other")
    }

    @Test("middleware runs in order around the handler, also for 404, and sees the route")
    func middlewareOrder() async throws {
        struct Tag: HTTPMiddleware {
            let name: String
            func handle(_ request: HTTPRequest, context: HTTPRequestContext, next: HTTPMiddlewareNext) async throws -> HTTPResponse {
                var context = context
                context[Trail.self] = (context[Trail.self] ?? []) + [name]
                var response = try await next(request, context)
                response.headers.add(name: "X-Trail", value: name)
                response.headers.add(name: "X-Route", value: request.route ?? "none")
                return response
            }
        }
        enum Trail: HTTPContextKey { typealias Value = [String] }

        var router = HTTPRouter()
        router.add(middleware: Tag(name: "outer"))
        router.add(middleware: Tag(name: "inner"))
        router.get("/things/{id}") { _, context in .text((context[Trail.self] ?? []).joined(separator: ">")) }

        let response = try await Self.route(router, .get, "/things/1")
        #expect(Self.text(response) == "outer>inner")
        #expect(response.headers.values(name: "X-Trail") == ["inner", "outer"])
        #expect(response.headers.first(name: "X-Route") == "/things/{id}")

        let missing = try await Self.route(router, .get, "/nope")
        #expect(missing.status == .notFound)
        #expect(missing.headers.values(name: "X-Trail") == ["inner", "outer"])
    }

    @Test("a 405 over a real socket carries Allow")
    func methodNotAllowedOverSocket() async throws {
        var router = HTTPRouter()
        router.get("/items/{id}", handler: Self.named("get"))
        router.post("/items/{id}", handler: Self.named("post"))
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            let response = try await connection.send(.delete, "/items/9")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers.first(name: "Allow") == "GET, POST, HEAD")
            #expect(try await connection.send(.get, "/items/9").text == "get id=9")
        }
    }
}
