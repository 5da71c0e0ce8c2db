/// A call failed for a reason its endpoint does not declare: the request did not decode, the endpoint is
/// missing, or the handler threw an undeclared error. Transports produce the same error in every mode, so a
/// caller cannot tell an in-process call from one that crossed a wire.
public struct RemoteCallError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// The request did not decode as the endpoint's request type.
        case badRequest = "bad-request"
        /// The instance has no handler for the endpoint.
        case unknownEndpoint = "unknown-endpoint"
        /// The handler threw an error the endpoint does not declare.
        case internalError = "internal-error"
        /// The reply did not decode.
        case badReply = "bad-reply"
    }

    /// What went wrong.
    public let kind: Kind
    /// The endpoint called.
    public let endpoint: String
    /// Details, for logs.
    public let message: String

    /// Creates an error.
    public init(kind: Kind, endpoint: String, message: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.message = message
    }

    static func badRequest(endpoint: String, reason: String) -> RemoteCallError {
        RemoteCallError(kind: .badRequest, endpoint: endpoint, message: reason)
    }

    /// The error text.
    public var description: String { "\(endpoint): \(kind.rawValue): \(message)" }
}
