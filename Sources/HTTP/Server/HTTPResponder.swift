/// Turns a request into a response: what ``HTTPServer`` calls for every request. ``HTTPRouter`` is one.
///
/// The server calls ``respond(to:context:)`` on the event loop thread that owns the connection, from a task that
/// prefers that loop as its executor: code that does not hop to an actor runs without a thread switch. Blocking
/// there blocks every connection of the loop, so run blocking work elsewhere.
public protocol HTTPResponder: Sendable {
    /// The response to `request`.
    ///
    /// A thrown error becomes a bare `500 Internal Server Error` and is logged; responders that want to shape error
    /// responses (problem+json) catch their errors themselves.
    /// - Parameters:
    ///   - request: The request with its whole body.
    ///   - context: The connection, logger and values attached by middleware.
    func respond(to request: HTTPRequest, context: HTTPRequestContext) async throws -> HTTPResponse

    /// A final response to send instead of `100 Continue`, before the body of a request whose client waits with
    /// `Expect: 100-continue`; `nil` (the default) lets the body come. When a response is returned the body is
    /// never read and the connection closes after the response.
    /// - Parameter head: The request head.
    func responseBeforeBody(for head: HTTPRequestHead) -> HTTPResponse?
}

extension HTTPResponder {
    /// Lets every body come: no early response.
    public func responseBeforeBody(for head: HTTPRequestHead) -> HTTPResponse? { nil }
}

/// An ``HTTPResponder`` made of a closure.
///
/// ```swift
/// let server = HTTPServer(responder: HTTPClosureResponder { request, _ in .text("hello") })
/// ```
public struct HTTPClosureResponder: HTTPResponder {
    private let closure: @Sendable (HTTPRequest, HTTPRequestContext) async throws -> HTTPResponse

    /// Creates a responder that calls `closure` for every request.
    /// - Parameter closure: Makes the response.
    public init(_ closure: @escaping @Sendable (HTTPRequest, HTTPRequestContext) async throws -> HTTPResponse) {
        self.closure = closure
    }

    /// Calls the closure.
    public func respond(to request: HTTPRequest, context: HTTPRequestContext) async throws -> HTTPResponse {
        try await closure(request, context)
    }
}
