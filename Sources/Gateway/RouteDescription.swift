public import HTTP

/// One route a gateway serves, as `emporium services`, the dashboard and API-description checks list them.
public struct RouteDescription: Sendable, Hashable, CustomStringConvertible {
    /// The method.
    public var method: HTTPMethod
    /// The path pattern, `{name}` for a parameter.
    public var pattern: String
    /// Who may call it.
    public var access: Access

    /// Describes a route.
    public init(method: HTTPMethod, pattern: String, access: Access) {
        self.method = method
        self.pattern = pattern
        self.access = access
    }

    /// `GET /api/v1/products/{id}`.
    public var description: String { "\(method) \(pattern)" }
}
