/// A step around every request of an ``HTTPRouter``: it may change the request or context, answer by itself, or
/// call `next` and change the response.
///
/// Middleware runs in the order added, the first added outermost, after routing (so ``HTTPRequest/route`` and
/// ``HTTPRequest/pathParameters`` are set) and also for requests that end in 404 or 405.
///
/// ```swift
/// struct ServerHeader: HTTPMiddleware {
///     func handle(_ request: HTTPRequest, context: HTTPRequestContext, next: HTTPMiddlewareNext) async throws -> HTTPResponse {
///         var response = try await next(request, context)
///         response.headers.add(name: "Server", value: "emporium")
///         return response
///     }
/// }
/// router.add(middleware: ServerHeader())
/// ```
public protocol HTTPMiddleware: Sendable {
    /// Handles `request`, usually by calling `next` once.
    /// - Parameters:
    ///   - request: The routed request.
    ///   - context: The request's context; pass a changed copy to `next` to attach values.
    ///   - next: The rest of the chain: the following middleware, then the handler.
    func handle(_ request: HTTPRequest, context: HTTPRequestContext, next: HTTPMiddlewareNext) async throws -> HTTPResponse
}

/// The rest of a middleware chain, as ``HTTPMiddleware/handle(_:context:next:)`` receives it.
public typealias HTTPMiddlewareNext = (HTTPRequest, HTTPRequestContext) async throws -> HTTPResponse

/// A route's handler: the response to a routed request.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPRequestContext) async throws -> HTTPResponse
