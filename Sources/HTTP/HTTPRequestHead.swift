/// The request line and header section of a request, as the parser delivers them before any body bytes.
///
/// The parser has already enforced the message framing rules; `framing`, `keepAlive` and `expectsContinue` are
/// what a server needs to read the body and decide about the connection without looking at the headers again.
public struct HTTPRequestHead: Hashable, Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request-target as sent: origin-form (`/path?query`), absolute-form (`http://host/path`),
    /// authority-form (`host:port`, `CONNECT` only) or asterisk-form (`*`, `OPTIONS` only).
    public var target: String
    /// The protocol version of the request line: 1.0 or 1.1 (a higher 1.x minor version is read as 1.1).
    public var version: HTTPVersion
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// How the body that follows is framed.
    public var framing: HTTPBodyFraming
    /// Whether the client expects the connection to stay open after the response: the HTTP/1.1 default unless
    /// `Connection: close`, for HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// Whether an HTTP/1.1 client sent `Expect: 100-continue` and waits for a `100 Continue` before the body.
    public var expectsContinue: Bool

    /// Creates a request head.
    /// - Parameters:
    ///   - method: The request method.
    ///   - target: The request-target.
    ///   - version: The protocol version.
    ///   - headers: The header fields.
    ///   - framing: How the body is framed.
    ///   - keepAlive: Whether the connection stays open after the response.
    ///   - expectsContinue: Whether the client waits for `100 Continue`.
    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:],
        framing: HTTPBodyFraming = .noBody,
        keepAlive: Bool = true,
        expectsContinue: Bool = false
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }
}
