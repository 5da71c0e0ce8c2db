/// A role a principal holds, such as `customer` or `admin`; the gateway compares roles, it does not know them.
public struct Role: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The role's name.
    public let rawValue: String

    /// Creates a role from its name.
    /// - Parameter rawValue: The name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a role from a literal name.
    /// - Parameter value: The name.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The role's name.
    public var description: String { rawValue }
}

/// Who made a request, as a ``TokenVerifier`` established from its bearer token.
public struct Principal: Sendable, Hashable, Codable {
    /// The token's subject, such as a customer id; also the rate-limit key of the request.
    public var subject: String
    /// The role the token grants.
    public var role: Role

    /// Creates a principal.
    /// - Parameters:
    ///   - subject: The token's subject.
    ///   - role: The granted role.
    public init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }
}

/// Checks a bearer token and says who holds it: the gateway's authentication seam. ``JWTTokenVerifier`` checks
/// the HS256 access tokens Identity issues; tests plug in fakes.
public protocol TokenVerifier: Sendable {
    /// The principal `bearerToken` identifies.
    /// - Parameter bearerToken: The token after `Authorization: Bearer `.
    /// - Throws: Any error when the token is invalid or expired; the gateway answers `401` with
    ///   `WWW-Authenticate: Bearer error="invalid_token"`.
    func verify(bearerToken: String) async throws -> Principal
}

/// Who may call a route.
public enum Access: Sendable, Hashable {
    /// Anyone; no token is needed or checked.
    case `public`
    /// A request with a valid bearer token whose principal has `role`, or any role when `role` is `nil`.
    case authenticated(Role?)
    /// Anyone; a request that sends a bearer token must send a valid one (401 otherwise), and its principal then
    /// reaches the route. For what guests and signed-in customers both use, such as a cart.
    case optionallyAuthenticated
}
