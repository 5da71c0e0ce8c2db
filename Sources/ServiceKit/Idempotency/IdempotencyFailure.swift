/// Why a request with an idempotency key was not run: the declared failure of every idempotent endpoint, besides
/// the endpoint's own failure type (the transports carry both).
///
/// The gateway answers ``missingKey`` and ``invalidKey`` with 400, ``keyReused`` with 422 and ``inProgress`` with
/// 409 (and `Retry-After`).
public enum IdempotencyFailure: ServiceFailure, CustomStringConvertible {
    /// The operation needs a key and the request has none.
    case missingKey
    /// The key is empty, longer than ``IdempotencyKey/maximumLength``, or not printable ASCII.
    case invalidKey
    /// The key was used before, by the same caller, with a different request.
    case keyReused
    /// A request with the key is still running.
    case inProgress

    /// How long to wait before retrying a request whose key is in use: about as long as one call takes.
    public var retryAfter: Duration? {
        self == .inProgress ? .seconds(1) : nil
    }

    /// `idempotency-key-missing`, `invalid-idempotency-key`, `idempotency-key-reused` or `idempotency-key-in-use`.
    public var problemType: String {
        switch self {
        case .missingKey: "idempotency-key-missing"
        case .invalidKey: "invalid-idempotency-key"
        case .keyReused: "idempotency-key-reused"
        case .inProgress: "idempotency-key-in-use"
        }
    }

    /// The sentence of ``description``.
    public var detail: String { description }

    /// The header at fault, for a missing or malformed key.
    public var fieldErrors: [FieldError] {
        switch self {
        case .missingKey: [FieldError(field: "Idempotency-Key", message: "is required")]
        case .invalidKey: [FieldError(field: "Idempotency-Key", message: "must be 1 to \(IdempotencyKey.maximumLength) printable ASCII characters")]
        case .keyReused, .inProgress: []
        }
    }

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .missingKey:
            "This operation needs an Idempotency-Key header: a new unique value, such as a UUID, for each operation, sent again unchanged when retrying it."
        case .invalidKey:
            "An idempotency key must be 1 to \(IdempotencyKey.maximumLength) printable ASCII characters."
        case .keyReused:
            "This idempotency key was already used for a different request; use a new key for a new operation."
        case .inProgress:
            "A request with this idempotency key is still being processed; retry it shortly."
        }
    }
}
