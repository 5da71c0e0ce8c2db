/// A response status: a three-digit code and its reason phrase (RFC 9110 §15).
///
/// Two statuses are equal when their codes are, whatever the phrase: `HTTPStatus(code: 404) == .notFound`.
public struct HTTPStatus: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit status code.
    public let code: Int
    /// The reason phrase written on the status line; clients ignore it.
    public let reasonPhrase: String

    /// Creates a status with an explicit reason phrase.
    /// - Parameters:
    ///   - code: A code from 100 to 999.
    ///   - reasonPhrase: The phrase for the status line; control characters are replaced when serialised.
    public init(code: Int, reasonPhrase: String) {
        precondition((100...999).contains(code), "HTTP status codes have three digits")
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Creates a status with the standard reason phrase of `code`, or an empty phrase for an unregistered code.
    /// - Parameter code: A code from 100 to 999.
    public init(code: Int) {
        self.init(code: code, reasonPhrase: Self.standardReasonPhrase(code))
    }

    /// Statuses are equal when their codes are.
    public static func == (lhs: HTTPStatus, rhs: HTTPStatus) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes the code only, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    /// The code and phrase, for example `404 Not Found`.
    public var description: String { reasonPhrase.isEmpty ? "\(code)" : "\(code) \(reasonPhrase)" }

    /// The class of the status, the first digit of the code: 1 informational, 2 success, 3 redirection,
    /// 4 client error, 5 server error.
    public var codeClass: Int { code / 100 }

    /// 100 Continue: the client should send the request content it announced with `Expect: 100-continue`.
    public static let `continue` = HTTPStatus(code: 100, reasonPhrase: "Continue")
    /// 101 Switching Protocols: the connection switches to the protocol named in `Upgrade`.
    public static let switchingProtocols = HTTPStatus(code: 101, reasonPhrase: "Switching Protocols")
    /// 200 OK: the request succeeded.
    public static let ok = HTTPStatus(code: 200, reasonPhrase: "OK")
    /// 201 Created: a resource was created; `Location` names it.
    public static let created = HTTPStatus(code: 201, reasonPhrase: "Created")
    /// 202 Accepted: the request was accepted for processing that has not finished.
    public static let accepted = HTTPStatus(code: 202, reasonPhrase: "Accepted")
    /// 204 No Content: success, and the response has no content.
    public static let noContent = HTTPStatus(code: 204, reasonPhrase: "No Content")
    /// 301 Moved Permanently: the resource has a new permanent URI.
    public static let movedPermanently = HTTPStatus(code: 301, reasonPhrase: "Moved Permanently")
    /// 302 Found: the resource lives temporarily under another URI.
    public static let found = HTTPStatus(code: 302, reasonPhrase: "Found")
    /// 303 See Other: the result is available from another URI with `GET`.
    public static let seeOther = HTTPStatus(code: 303, reasonPhrase: "See Other")
    /// 304 Not Modified: the client's cached representation is still current.
    public static let notModified = HTTPStatus(code: 304, reasonPhrase: "Not Modified")
    /// 307 Temporary Redirect: repeat the request, same method, at another URI.
    public static let temporaryRedirect = HTTPStatus(code: 307, reasonPhrase: "Temporary Redirect")
    /// 308 Permanent Redirect: repeat this and future requests, same method, at another URI.
    public static let permanentRedirect = HTTPStatus(code: 308, reasonPhrase: "Permanent Redirect")
    /// 400 Bad Request: the request is malformed; framing errors also close the connection.
    public static let badRequest = HTTPStatus(code: 400, reasonPhrase: "Bad Request")
    /// 401 Unauthorized: valid authentication credentials are missing.
    public static let unauthorized = HTTPStatus(code: 401, reasonPhrase: "Unauthorized")
    /// 402 Payment Required: a payment was refused, such as a declined card.
    public static let paymentRequired = HTTPStatus(code: 402, reasonPhrase: "Payment Required")
    /// 403 Forbidden: the credentials do not allow the request.
    public static let forbidden = HTTPStatus(code: 403, reasonPhrase: "Forbidden")
    /// 404 Not Found: no resource matches the target.
    public static let notFound = HTTPStatus(code: 404, reasonPhrase: "Not Found")
    /// 405 Method Not Allowed: the resource does not support the method; `Allow` lists those it does.
    public static let methodNotAllowed = HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
    /// 406 Not Acceptable: no representation matches the request's `Accept` fields.
    public static let notAcceptable = HTTPStatus(code: 406, reasonPhrase: "Not Acceptable")
    /// 408 Request Timeout: the request did not arrive in time.
    public static let requestTimeout = HTTPStatus(code: 408, reasonPhrase: "Request Timeout")
    /// 409 Conflict: the request conflicts with the resource's current state.
    public static let conflict = HTTPStatus(code: 409, reasonPhrase: "Conflict")
    /// 410 Gone: the resource is permanently gone.
    public static let gone = HTTPStatus(code: 410, reasonPhrase: "Gone")
    /// 411 Length Required: the request needs a `Content-Length`.
    public static let lengthRequired = HTTPStatus(code: 411, reasonPhrase: "Length Required")
    /// 412 Precondition Failed: a conditional field evaluated to false.
    public static let preconditionFailed = HTTPStatus(code: 412, reasonPhrase: "Precondition Failed")
    /// 413 Content Too Large: the request content exceeds the body limit.
    public static let contentTooLarge = HTTPStatus(code: 413, reasonPhrase: "Content Too Large")
    /// 414 URI Too Long: the request line exceeds its limit.
    public static let uriTooLong = HTTPStatus(code: 414, reasonPhrase: "URI Too Long")
    /// 415 Unsupported Media Type: the content's media type is not supported.
    public static let unsupportedMediaType = HTTPStatus(code: 415, reasonPhrase: "Unsupported Media Type")
    /// 417 Expectation Failed: the `Expect` field cannot be met.
    public static let expectationFailed = HTTPStatus(code: 417, reasonPhrase: "Expectation Failed")
    /// 422 Unprocessable Content: the content is well-formed but semantically invalid.
    public static let unprocessableContent = HTTPStatus(code: 422, reasonPhrase: "Unprocessable Content")
    /// 428 Precondition Required: the request must be conditional.
    public static let preconditionRequired = HTTPStatus(code: 428, reasonPhrase: "Precondition Required")
    /// 429 Too Many Requests: the client exceeded its rate limit; see `Retry-After`.
    public static let tooManyRequests = HTTPStatus(code: 429, reasonPhrase: "Too Many Requests")
    /// 431 Request Header Fields Too Large: the header section exceeds its size or field-count limit.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reasonPhrase: "Request Header Fields Too Large")
    /// 500 Internal Server Error: the server failed unexpectedly.
    public static let internalServerError = HTTPStatus(code: 500, reasonPhrase: "Internal Server Error")
    /// 501 Not Implemented: the server does not support the functionality, such as a transfer coding.
    public static let notImplemented = HTTPStatus(code: 501, reasonPhrase: "Not Implemented")
    /// 502 Bad Gateway: an upstream answered with an invalid response.
    public static let badGateway = HTTPStatus(code: 502, reasonPhrase: "Bad Gateway")
    /// 503 Service Unavailable: the server cannot handle the request now; see `Retry-After`.
    public static let serviceUnavailable = HTTPStatus(code: 503, reasonPhrase: "Service Unavailable")
    /// 504 Gateway Timeout: an upstream did not answer in time.
    public static let gatewayTimeout = HTTPStatus(code: 504, reasonPhrase: "Gateway Timeout")
    /// 505 HTTP Version Not Supported: the request's major HTTP version is not supported.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reasonPhrase: "HTTP Version Not Supported")

    private static func standardReasonPhrase(_ code: Int) -> String {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }
}
