/// The outcome of a span.
public enum SpanStatus: Sendable, Hashable, Codable {
    /// Nothing was set: the span ended without an explicit outcome.
    case unset
    /// The operation succeeded.
    case ok
    /// The operation failed, with an optional description.
    case error(message: String?)
}
