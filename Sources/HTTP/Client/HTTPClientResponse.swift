/// A response as the client read it: status line, fields and the whole body with chunked framing removed.
public struct HTTPClientResponse: Hashable, Sendable {
    /// The protocol version of the status line.
    public var version: HTTPVersion
    /// The status, with the reason phrase the server sent.
    public var status: HTTPStatus
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body content.
    public var body: [UInt8]
    /// The trailer fields of a chunked body.
    public var trailers: HTTPHeaders

    /// Creates a response.
    /// - Parameters:
    ///   - version: The protocol version.
    ///   - status: The status.
    ///   - headers: The header fields.
    ///   - body: The body content.
    ///   - trailers: Trailer fields.
    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = [:], body: [UInt8] = [], trailers: HTTPHeaders = [:]) {
        self.version = version
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// The body decoded as UTF-8.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
