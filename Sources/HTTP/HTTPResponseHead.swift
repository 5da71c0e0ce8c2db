/// The status line and header fields of a response, before framing is added by ``HTTPResponseSerializer``.
public struct HTTPResponseHead: Hashable, Sendable {
    /// The response status.
    public var status: HTTPStatus
    /// The protocol version written on the status line; HTTP/1.1 unless answering in kind to an HTTP/1.0 client.
    public var version: HTTPVersion
    /// The header fields, written in order. `Content-Length` and `Transfer-Encoding` are ignored: the serializer
    /// writes framing from its `framing` argument only.
    public var headers: HTTPHeaders

    /// Creates a response head.
    /// - Parameters:
    ///   - status: The response status.
    ///   - version: The protocol version, HTTP/1.1 by default.
    ///   - headers: The header fields, without framing fields.
    public init(status: HTTPStatus, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.status = status
        self.version = version
        self.headers = headers
    }
}
