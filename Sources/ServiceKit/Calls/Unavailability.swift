/// Why a service cannot do what it was asked right now, through no fault of the request or of the instance that
/// answered, and when trying again makes sense: its storage is full or read-only, say.
///
/// A handler's error that says so (``UnavailabilityReporting``) crosses every transport as a ``RemoteCallError`` of
/// kind ``RemoteCallError/Kind/unavailable`` carrying this value. The call pipeline treats it as a condition of the
/// service, not of the instance or the request: it does not retry the call (the condition outlasts a backoff), it does
/// not count it for or against the circuit breaker, and it does not eject the instance (its siblings share the
/// cause), so the service's other calls, reads say, go on. The gateway answers it `503` with ``problemType``,
/// ``detail`` and `Retry-After`; a message bus keeps redelivering an event whose handler failed with it instead of
/// dead-lettering it.
public struct Unavailability: Codable, Sendable, Hashable {
    /// The kind of unavailability as a problem type slug, such as `storage-unavailable`.
    public var problemType: String
    /// What a person is told, as a sentence.
    public var detail: String
    /// Roughly how many seconds to wait before trying again (at least 1).
    public var retryAfterSeconds: Int

    /// Creates the value.
    /// - Parameters:
    ///   - problemType: A slug of lower-case words joined by hyphens.
    ///   - detail: A sentence for the person whose request failed.
    ///   - retryAfterSeconds: When trying again makes sense; raised to 1 when smaller.
    public init(problemType: String, detail: String, retryAfterSeconds: Int) {
        self.problemType = problemType
        self.detail = detail
        self.retryAfterSeconds = max(1, retryAfterSeconds)
    }

    /// ``retryAfterSeconds`` as a duration.
    public var retryAfter: Duration { .seconds(retryAfterSeconds) }
}

/// An error that can say its service is temporarily unavailable: some of its values are (a storage error for a full
/// disk), others are not (the same type for a constraint violation).
///
/// Conform an infrastructure error where both it and this protocol are visible; ServiceKit need not know the type:
///
/// ```swift
/// extension StorageError: UnavailabilityReporting {
///     public var unavailability: Unavailability? {
///         resultCode?.primary == .full ? Unavailability(problemType: "storage-unavailable", detail: "…", retryAfterSeconds: 30) : nil
///     }
/// }
/// ```
public protocol UnavailabilityReporting: Error {
    /// Why the service cannot do it now; `nil` when this error says nothing of the kind.
    var unavailability: Unavailability? { get }
}

extension Error {
    /// What `self` says of its service's temporary unavailability, directly (``UnavailabilityReporting``) or as the
    /// ``RemoteCallError`` a transport made of such an error; `nil` when it says nothing of the kind.
    public var serviceUnavailability: Unavailability? {
        if let remote = self as? RemoteCallError { return remote.kind == .unavailable ? remote.unavailability : nil }
        return (self as? any UnavailabilityReporting)?.unavailability
    }
}
