/// A call failed for a reason its endpoint does not declare: the request did not decode, the endpoint is
/// missing, the handler threw an undeclared error, or one that says the service is temporarily unavailable
/// (``Kind/unavailable``, with its ``unavailability``). Transports produce the same error in every mode, so a
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
        /// The handler threw an error that says the service cannot do this right now (``UnavailabilityReporting``);
        /// ``RemoteCallError/unavailability`` says why and when to try again.
        case unavailable
    }

    /// What went wrong.
    public let kind: Kind
    /// The endpoint called.
    public let endpoint: String
    /// Details, for logs.
    public let message: String
    /// Why the service is unavailable, for ``Kind/unavailable``; `nil` otherwise.
    public let unavailability: Unavailability?

    /// Creates an error.
    public init(kind: Kind, endpoint: String, message: String, unavailability: Unavailability? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.message = message
        self.unavailability = unavailability
    }

    /// The error a transport makes of what a handler threw when it is not a declared failure: ``Kind/unavailable``
    /// when it says the service is temporarily unavailable, else ``Kind/internalError``.
    static func undeclared(_ error: any Error, endpoint: String) -> RemoteCallError {
        if let unavailability = (error as? any UnavailabilityReporting)?.unavailability {
            return RemoteCallError(kind: .unavailable, endpoint: endpoint, message: String(describing: error), unavailability: unavailability)
        }
        return RemoteCallError(kind: .internalError, endpoint: endpoint, message: String(describing: error))
    }

    static func badRequest(endpoint: String, reason: String) -> RemoteCallError {
        RemoteCallError(kind: .badRequest, endpoint: endpoint, message: reason)
    }

    /// The error text.
    public var description: String { "\(endpoint): \(kind.rawValue): \(message)" }
}
