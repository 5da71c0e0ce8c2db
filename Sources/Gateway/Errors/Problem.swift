public import HTTP

import struct Foundation.Data
import class Foundation.JSONEncoder

/// An RFC 9457 problem detail: the body of every error response of the gateway, sent as
/// `application/problem+json`.
///
/// ```json
/// {"type":"urn:emporium:problem:rate-limited","title":"Too Many Requests","status":429,
///  "detail":"rate limit of class default exceeded","instance":"/api/v1/products/7","requestId":"4f2c…"}
/// ```
public struct Problem: Codable, Sendable, Hashable {
    /// A URI naming the kind of problem; `about:blank` when the status says everything.
    public var type: String
    /// A short summary of the kind of problem, the status's reason phrase by default.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What happened this time, for humans.
    public var detail: String?
    /// The request path the problem occurred on.
    public var instance: String?
    /// The request's `X-Request-Id`, to quote to support and to find the access-log line.
    public var requestId: String?

    /// Creates a problem.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - type: The kind of problem, a URI; `about:blank` by default.
    ///   - title: A summary; the status's reason phrase by default.
    ///   - detail: What happened this time.
    ///   - instance: The request path.
    ///   - requestId: The request id.
    public init(
        status: HTTPStatus,
        type: String = "about:blank",
        title: String? = nil,
        detail: String? = nil,
        instance: String? = nil,
        requestId: String? = nil
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.instance = instance
        self.requestId = requestId
    }

    /// The media type of problem bodies.
    public static let contentType = "application/problem+json"

    /// The problem as a response with `Content-Type: application/problem+json`.
    /// - Parameter headers: Extra header fields, such as `Retry-After` or `WWW-Authenticate`.
    public func response(headers: HTTPHeaders = [:]) -> HTTPResponse {
        var fields = headers
        fields.replaceOrAdd(name: "Content-Type", value: Self.contentType)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)).map { Array($0) } ?? Array("{\"status\":\(status)}".utf8)
        return HTTPResponse(status: HTTPStatus(code: status), headers: fields, body: body)
    }
}

extension Problem {
    /// The `type` URI of a problem kind of the gateway: `urn:emporium:problem:<slug>`.
    static func type(_ slug: String) -> String { "urn:emporium:problem:\(slug)" }
}
