/// An error from the messaging layer.
public enum MessagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An envelope was decoded as a type it is not.
    case wrongEventType(expected: String, actual: String)
    /// An envelope is malformed; the text says how.
    case invalidEnvelope(String)
    /// The bus was shut down; nothing more is published or delivered.
    case busClosed
    /// No dead letter has the given id.
    case deadLetterNotFound(String)

    /// A sentence for logs and error replies.
    public var description: String {
        switch self {
        case .wrongEventType(let expected, let actual): "expected an event of type \(expected), got \(actual)"
        case .invalidEnvelope(let reason): "invalid event envelope: \(reason)"
        case .busClosed: "the message bus is closed"
        case .deadLetterNotFound(let id): "no dead letter with id \(id)"
        }
    }
}
