/// Routes requests by method and path pattern to handlers, through a chain of ``HTTPMiddleware``.
///
/// Patterns are `/`-separated segments: a literal, `{name}` for one segment (captured in
/// ``HTTPRequest/pathParameters``, percent-decoded) or a last `{name...}` for the rest of the path. At every depth a
/// literal wins over a parameter and a parameter over a catch-all, backtracking when the more specific branch does
/// not lead to a route. Empty segments are ignored, so `/products/` matches `/products`.
///
/// - A path no pattern matches gets `404 Not Found`.
/// - A path that matches but not for this method gets `405 Method Not Allowed` with `Allow` listing the methods.
///   A catch-all is a fallback and never takes such a path: with `GET /{path...}` (a web store) and
///   `POST /api/login`, a `GET /api/login` is 405 with `Allow: POST`.
/// - `HEAD` uses the `GET` handler when no `HEAD` handler is registered; the server sends no body.
/// - `OPTIONS` is a method like any other: without an `OPTIONS` route it is 405, whose `Allow` lists the methods.
///
/// ```swift
/// var router = HTTPRouter()
/// router.add(middleware: RequestLogger())
/// router.get("/api/v1/products/{id}") { request, _ in
///     .text("product \(request.pathParameters["id"]!)")
/// }
/// router.get("/api/v1/products/featured") { _, _ in .text("featured") }  // wins over {id}
/// let server = HTTPServer(configuration: .init(port: 8080), responder: router)
/// ```
public struct HTTPRouter: HTTPResponder {
    private var tree = RouteTree()
    private var middleware: [any HTTPMiddleware] = []

    /// Creates a router with no routes: every request gets 404.
    public init() {}

    /// Adds a route.
    /// - Parameters:
    ///   - method: The method it answers.
    ///   - pattern: The path pattern, for example `/api/v1/products/{id}`.
    ///   - handler: Makes the response.
    /// - Precondition: The same method and pattern are not registered twice, and parameters at the same position
    ///   of different patterns have the same name.
    public mutating func on(_ method: HTTPMethod, _ pattern: String, handler: @escaping HTTPHandler) {
        tree.insert(method, pattern, handler: handler)
    }

    /// Adds a `GET` route, which also answers `HEAD`.
    /// - Parameters:
    ///   - pattern: The path pattern.
    ///   - handler: Makes the response.
    public mutating func get(_ pattern: String, handler: @escaping HTTPHandler) {
        on(.get, pattern, handler: handler)
    }

    /// Adds a `POST` route.
    /// - Parameters:
    ///   - pattern: The path pattern.
    ///   - handler: Makes the response.
    public mutating func post(_ pattern: String, handler: @escaping HTTPHandler) {
        on(.post, pattern, handler: handler)
    }

    /// Adds a `PUT` route.
    /// - Parameters:
    ///   - pattern: The path pattern.
    ///   - handler: Makes the response.
    public mutating func put(_ pattern: String, handler: @escaping HTTPHandler) {
        on(.put, pattern, handler: handler)
    }

    /// Adds a `PATCH` route.
    /// - Parameters:
    ///   - pattern: The path pattern.
    ///   - handler: Makes the response.
    public mutating func patch(_ pattern: String, handler: @escaping HTTPHandler) {
        on(.patch, pattern, handler: handler)
    }

    /// Adds a `DELETE` route.
    /// - Parameters:
    ///   - pattern: The path pattern.
    ///   - handler: Makes the response.
    public mutating func delete(_ pattern: String, handler: @escaping HTTPHandler) {
        on(.delete, pattern, handler: handler)
    }

    /// Appends a middleware; it runs inside the ones added before it.
    /// - Parameter middleware: The middleware.
    public mutating func add(middleware: some HTTPMiddleware) {
        self.middleware.append(middleware)
    }

    /// Routes the request and runs it through the middleware to its handler, or to a 404 or 405 response.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: Its context.
    public func respond(to request: HTTPRequest, context: HTTPRequestContext) async throws -> HTTPResponse {
        var request = request
        let endpoint: HTTPHandler
        switch tree.match(request.method, path: request.path) {
        case .found(let handler, let parameters, let pattern):
            request.pathParameters = parameters
            request.route = pattern
            endpoint = handler
        case .methodNotAllowed(let allowed, let pattern):
            request.route = pattern
            endpoint = { _, _ in Self.methodNotAllowed(allowed) }
        case .notFound:
            endpoint = { _, _ in Self.notFound }
        }
        if middleware.isEmpty { return try await endpoint(request, context) }
        return try await run(from: 0, request, context, endpoint)
    }

    /// 404 or 405 before the body of a request that waits for `100 Continue`, so an upload to nowhere is refused
    /// without being sent; middleware does not run for these.
    /// - Parameter head: The request head.
    public func responseBeforeBody(for head: HTTPRequestHead) -> HTTPResponse? {
        switch tree.match(head.method, path: HTTPRequest(head: head).path) {
        case .found: nil
        case .methodNotAllowed(let allowed, _): Self.methodNotAllowed(allowed)
        case .notFound: Self.notFound
        }
    }

    private func run(from index: Int, _ request: HTTPRequest, _ context: HTTPRequestContext, _ endpoint: HTTPHandler) async throws -> HTTPResponse {
        guard index < middleware.count else { return try await endpoint(request, context) }
        return try await middleware[index].handle(request, context: context) { request, context in
            try await run(from: index + 1, request, context, endpoint)
        }
    }

    private static let notFound = HTTPResponse.text("404 Not Found\n", status: .notFound)

    private static func methodNotAllowed(_ allowed: [HTTPMethod]) -> HTTPResponse {
        var response = HTTPResponse.text("405 Method Not Allowed\n", status: .methodNotAllowed)
        response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ", "))
        return response
    }
}
