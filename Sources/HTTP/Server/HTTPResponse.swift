/// A response from a handler: status, header fields and a body that is either bytes or written by a closure.
///
/// The server adds `Date`, framing (`Content-Length` for bytes, `Transfer-Encoding: chunked` for a stream) and
/// `Connection`; any `Content-Length`, `Transfer-Encoding` or `Connection` field set here is ignored. To a `HEAD`
/// request the server sends the head only, with the `Content-Length` the body would have had.
///
/// ```swift
/// HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
/// HTTPResponse.text("not here", status: .notFound)
/// HTTPResponse(status: .ok) { writer in
///     for row in rows { try await writer.write(row.csvLine) }
/// }
/// ```
public struct HTTPResponse: Sendable {
    /// The content of a response.
    public enum Body: Sendable {
        /// A body known in full, sent with `Content-Length`.
        case bytes([UInt8])
        /// A body produced piece by piece, sent chunked (or, to an HTTP/1.0 client, delimited by closing the
        /// connection). The closure's writes wait while the connection's write buffer is full. If it throws, the
        /// connection is closed without the last chunk, so the client sees an incomplete body.
        case stream(@Sendable (HTTPBodyWriter) async throws -> Void)
    }

    /// The status.
    public var status: HTTPStatus
    /// The header fields, without framing fields.
    public var headers: HTTPHeaders
    /// The content.
    public var body: Body

    /// Creates a response with a body known in full.
    /// - Parameters:
    ///   - status: The status, 200 OK by default.
    ///   - headers: The header fields.
    ///   - body: The content; empty by default.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// Creates a response whose body `write` produces while the response is being sent.
    /// - Parameters:
    ///   - status: The status.
    ///   - headers: The header fields.
    ///   - write: Writes the body through the writer it receives.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], stream write: @escaping @Sendable (HTTPBodyWriter) async throws -> Void) {
        self.status = status
        self.headers = headers
        self.body = .stream(write)
    }

    /// A `text/plain; charset=utf-8` response.
    /// - Parameters:
    ///   - text: The body.
    ///   - status: The status, 200 OK by default.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// Whether a `Connection` field asks to close the connection after this response.
    var asksToClose: Bool {
        for (name, value) in headers where HTTPHeaders.namesEqual(name, "Connection") {
            if value.utf8.count >= 5, value.lowercased().split(separator: ",").contains(where: { HTTPHeaders.trimmingWhitespace($0) == "close" }) {
                return true
            }
        }
        return false
    }
}
