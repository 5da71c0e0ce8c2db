public import HTTP

/// An error a route's mapping closure throws to answer with a problem instead of calling the service, for
/// example when a path parameter is not a valid identifier.
///
/// ```swift
/// guard let id = Int(request.pathParameter("id")) else { throw GatewayError.badRequest("id must be a number") }
/// ```
public struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status of the response.
    public var status: HTTPStatus
    /// The problem's `detail`.
    public var detail: String

    /// Creates an error answered with `status`.
    /// - Parameters:
    ///   - status: The response status.
    ///   - detail: What went wrong, for the client.
    public init(status: HTTPStatus, detail: String) {
        self.status = status
        self.detail = detail
    }

    /// A `400 Bad Request` with `detail`.
    /// - Parameter detail: What is wrong with the request.
    public static func badRequest(_ detail: String) -> GatewayError {
        GatewayError(status: .badRequest, detail: detail)
    }

    /// `status: detail`.
    public var description: String { "\(status): \(detail)" }
}
