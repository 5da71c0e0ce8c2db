/// The role of a span in a call, as in OpenTelemetry.
public enum SpanKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Work inside the service, such as a module call.
    case `internal`
    /// Handling an incoming request.
    case server
    /// Making an outgoing request.
    case client
    /// Publishing a message for later handling.
    case producer
    /// Handling a published message.
    case consumer
}
