public import HTTP
public import ServiceKit

/// An error a route's mapping closure throws to answer with a problem instead of calling the service, for
/// example when a path parameter is not a valid identifier.
///
/// ```swift
/// guard let id = Int(request.pathParameter("id")) else { throw GatewayError.invalidField("id", "must be a number") }
/// ```
public struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status of the response.
    public var status: HTTPStatus
    /// The problem's `type` slug: its `type` is `urn:emporium:problem:<problemType>`.
    public var problemType: String
    /// The problem's `detail`: what went wrong, for a person.
    public var detail: String
    /// The problem's `errors`: the fields of the request that are wrong; empty when the error is not about fields.
    public var fieldErrors: [FieldError]

    /// Creates an error answered with `status`.
    /// - Parameters:
    ///   - status: The response status.
    ///   - detail: What went wrong, for the client, as a sentence.
    ///   - problemType: The problem type's slug; by default one named for the status (`invalid-request` for 400,
    ///     `precondition-required` for 428, …). Give a more specific one when there is one.
    ///   - fieldErrors: The fields of the request that are wrong.
    public init(status: HTTPStatus, detail: String, problemType: String? = nil, fieldErrors: [FieldError] = []) {
        self.status = status
        self.problemType = problemType ?? Problem.slug(for: status)
        self.detail = detail
        self.fieldErrors = fieldErrors
    }

    /// A `400 Bad Request` (`invalid-request`) with `detail`.
    /// - Parameter detail: What is wrong with the request.
    public static func badRequest(_ detail: String) -> GatewayError {
        GatewayError(status: .badRequest, detail: detail)
    }

    /// A `400 Bad Request` (`invalid-request`) about one field, such as a query parameter, listed in the problem's
    /// `errors`; its `detail` is the sentence "The field minPrice must be an integer."
    /// - Parameters:
    ///   - field: The parameter's name, or a body member's dotted path.
    ///   - message: What is wrong, worded to follow the name: `must be an integer`.
    public static func invalidField(_ field: String, _ message: String) -> GatewayError {
        let error = FieldError(field: field, message: message)
        return GatewayError(status: .badRequest, detail: Problem.sentence(describing: [error]), fieldErrors: [error])
    }

    /// `status: detail`.
    public var description: String { "\(status): \(detail)" }
}
