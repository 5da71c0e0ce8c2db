/// A request method (RFC 9110 §9): any token, compared case-sensitively.
///
/// The parser accepts every syntactically valid token, so an unknown method such as `PURGE` reaches the router,
/// which answers 405 or 501; the common methods are available as static members.
///
/// ```swift
/// if head.method == .get { ... }
/// ```
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The method token exactly as it appears on the request line.
    public let rawValue: String

    /// Creates a method from its token; the caller is responsible for it being a valid token.
    /// - Parameter rawValue: The method token, for example `"GET"`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a method from a string literal such as `"PURGE"`.
    /// - Parameter value: The method token.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The method token.
    public var description: String { rawValue }

    /// `GET`: transfer a current representation of the target resource.
    public static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`: like `GET`, but the response carries no content.
    public static let head = HTTPMethod(rawValue: "HEAD")
    /// `POST`: process the enclosed representation.
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`: replace the target resource with the enclosed representation.
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `DELETE`: remove the target resource.
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `CONNECT`: establish a tunnel; its request-target is in authority-form.
    public static let connect = HTTPMethod(rawValue: "CONNECT")
    /// `OPTIONS`: describe the communication options; the only method allowed the asterisk-form target `*`.
    public static let options = HTTPMethod(rawValue: "OPTIONS")
    /// `TRACE`: perform a message loop-back test.
    public static let trace = HTTPMethod(rawValue: "TRACE")
    /// `PATCH` (RFC 5789): apply partial modifications.
    public static let patch = HTTPMethod(rawValue: "PATCH")
}
