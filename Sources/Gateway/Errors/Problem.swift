public import HTTP
public import ServiceKit

/// An RFC 9457 problem detail: the body of every error response of the gateway, sent as
/// `application/problem+json`.
///
/// ```json
/// {"type":"urn:emporium:problem:rate-limited","title":"Too Many Requests","status":429,
///  "detail":"Too many requests for rate-limit class default.","instance":"/api/v1/products/7","requestId":"4f2c…"}
/// ```
///
/// A validation failure lists the fields it is about under `errors`:
///
/// ```json
/// {"type":"urn:emporium:problem:invalid-request","title":"Bad Request","status":400,
///  "detail":"The field price.minorUnits must be an integer.",
///  "errors":[{"field":"price.minorUnits","message":"must be an integer"}], …}
/// ```
public struct Problem: Codable, Sendable, Hashable {
    /// A URI naming the kind of problem: `urn:emporium:problem:<slug>`.
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
    /// For a validation failure, each field of the request that is wrong; absent otherwise.
    public var errors: [FieldError]?

    /// Creates a problem.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - type: The kind of problem, a URI; by default `urn:emporium:problem:<slug>` with a slug named for the
    ///     status (see ``slug(for:)``).
    ///   - title: A summary; the status's reason phrase by default.
    ///   - detail: What happened this time.
    ///   - instance: The request path.
    ///   - requestId: The request id.
    ///   - errors: The fields of the request that are wrong; an empty list is left out.
    public init(
        status: HTTPStatus,
        type: String? = nil,
        title: String? = nil,
        detail: String? = nil,
        instance: String? = nil,
        requestId: String? = nil,
        errors: [FieldError] = []
    ) {
        self.type = type ?? Self.type(Self.slug(for: status))
        self.title = title ?? status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.instance = instance
        self.requestId = requestId
        self.errors = errors.isEmpty ? nil : errors
    }

    /// The media type of problem bodies.
    public static let contentType = "application/problem+json"

    /// The problem as a response with `Content-Type: application/problem+json`.
    /// - Parameter headers: Extra header fields, such as `Retry-After` or `WWW-Authenticate`.
    public func response(headers: HTTPHeaders = [:]) -> HTTPResponse {
        var fields = headers
        fields.replaceOrAdd(name: "Content-Type", value: Self.contentType)
        return HTTPResponse(status: HTTPStatus(code: status), headers: fields, body: json)
    }

    /// The problem as JSON, keys sorted, written directly: a refusal (a `429`, say) is the cheapest answer the
    /// gateway gives, so it does not go through `JSONEncoder`.
    var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + (detail?.utf8.count ?? 0) + (instance?.utf8.count ?? 0))
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        if let detail {
            key("detail")
            Self.append(string: detail, to: &out)
        }
        if let errors {
            key("errors")
            out.append(UInt8(ascii: "["))
            for (index, error) in errors.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.append(literal: #"{"field":"#, to: &out)
                Self.append(string: error.field, to: &out)
                Self.append(literal: #","message":"#, to: &out)
                Self.append(string: error.message, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let instance {
            key("instance")
            Self.append(string: instance, to: &out)
        }
        if let requestId {
            key("requestId")
            Self.append(string: requestId, to: &out)
        }
        key("status")
        out.append(contentsOf: Array(String(status).utf8))
        key("title")
        Self.append(string: title, to: &out)
        key("type")
        Self.append(string: type, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func append(literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func append(string text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        let plain = text.withUTF8 { bytes in
            // Most text needs no escape: one scan, one copy.
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The `type` URI of a problem kind: `urn:emporium:problem:<slug>`.
    /// - Parameter slug: Lower-case words joined by hyphens, such as `product-not-found`.
    public static func type(_ slug: String) -> String { "urn:emporium:problem:\(slug)" }

    /// The slug of a problem that the status says everything about: `invalid-request` for 400,
    /// `internal-error` for 500, otherwise the reason phrase in lower case with hyphens (`precondition-required`).
    /// - Parameter status: The status.
    public static func slug(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: return "invalid-request"
        case 429: return "rate-limited"
        case 500: return "internal-error"
        case 504: return "timeout"
        default:
            let words = status.reasonPhrase.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
            return words.isEmpty ? "http-\(status.code)" : words.joined(separator: "-")
        }
    }

    /// One sentence for a problem's `detail` about `errors`: "The field price.currency is required." or
    /// "The request has 2 wrong fields: name is required; colour is not a field of this request."
    /// - Parameter errors: The wrong fields, at least one.
    public static func sentence(describing errors: [FieldError]) -> String {
        guard errors.count > 1 else {
            return errors.first.map { "The field \($0.field) \($0.message)." } ?? "The request is not valid."
        }
        return "The request has \(errors.count) wrong fields: " + errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ") + "."
    }
}
