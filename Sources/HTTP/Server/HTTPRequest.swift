/// A complete request as a handler sees it: the head, the whole body and what the router matched.
///
/// The server reads the body before calling the handler, up to ``HTTPParserLimits/maxBodySize``; chunked framing
/// is already removed. `path` and `query` are slices of the target as sent; ``pathParameters`` and
/// ``queryParameters`` are percent-decoded.
public struct HTTPRequest: Sendable {
    /// The request line and header fields.
    public var head: HTTPRequestHead
    /// The body content, empty when the request has none.
    public var body: [UInt8]
    /// The trailer fields of a chunked body, if it had any.
    public var trailers: HTTPHeaders?
    /// The parameters captured by the route's `{name}` segments; empty before routing.
    public var pathParameters: HTTPParameters
    /// The pattern of the route that matched, such as `/api/v1/products/{id}`; `nil` before routing or when no
    /// route matched. Metrics and logs label requests with it rather than with the raw path.
    public var route: String?
    /// The peer's address, `nil` for a request made without a connection (tests).
    public var remoteAddress: HTTPSocketAddress?

    /// Creates a request.
    /// - Parameters:
    ///   - head: The request line and header fields.
    ///   - body: The body content.
    ///   - trailers: Trailer fields of a chunked body.
    ///   - remoteAddress: The peer's address.
    public init(head: HTTPRequestHead, body: [UInt8] = [], trailers: HTTPHeaders? = nil, remoteAddress: HTTPSocketAddress? = nil) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.pathParameters = HTTPParameters()
        self.route = nil
        self.remoteAddress = remoteAddress
    }

    /// The request method.
    public var method: HTTPMethod { head.method }

    /// The header fields.
    public var headers: HTTPHeaders { head.headers }

    /// The path of the target as sent (still percent-encoded), without the query: `/a/b` for `/a/b?c=d` and for
    /// the absolute form `http://host/a/b?c=d`; `*` for `OPTIONS *`, empty for the authority form of `CONNECT`.
    public var path: Substring {
        // Byte scans: the target is ASCII (the parser guarantees it), so no grapheme breaking is needed.
        let target = head.target[...]
        let bytes = target.utf8
        var start = bytes.startIndex
        if bytes.first != ASCII.slash && target != "*" {
            // Absolute form: skip `scheme://authority`; the authority form has no path.
            guard let colon = bytes.firstIndex(of: ASCII.colon), bytes[colon...].starts(with: "://".utf8) else {
                return target[target.endIndex...]
            }
            let authority = bytes.index(colon, offsetBy: 3)
            guard let slash = bytes[authority...].firstIndex(where: { $0 == ASCII.slash || $0 == 0x3F }), bytes[slash] == ASCII.slash else {
                return "/"
            }
            start = slash
        }
        let end = bytes[start...].firstIndex(of: 0x3F) ?? bytes.endIndex
        return target[start..<end]
    }

    /// The query of the target as sent, without the `?`; `nil` when the target has none.
    public var query: Substring? {
        let bytes = head.target.utf8
        guard let mark = bytes.firstIndex(of: 0x3F) else { return nil }
        return head.target[bytes.index(after: mark)...]
    }

    /// The query parameters, percent-decoded with `+` as a space; a name without `=` has an empty value.
    /// Computed on each access: keep the result if you read several.
    public var queryParameters: HTTPParameters {
        var parameters = HTTPParameters()
        guard let query else { return parameters }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                parameters.append(
                    name: PercentEncoding.decode(pair[..<equals], plusIsSpace: true),
                    value: PercentEncoding.decode(pair[pair.index(after: equals)...], plusIsSpace: true)
                )
            } else {
                parameters.append(name: PercentEncoding.decode(pair, plusIsSpace: true), value: "")
            }
        }
        return parameters
    }
}
