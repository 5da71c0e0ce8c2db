import Synchronization

/// Token subjects the gateway refuses although their tokens are signed and unexpired: deleted accounts.
///
/// The composition root fills it at start from the identity service's record of deleted accounts, adds a subject
/// at once when its route deletes an account, and the gateway adds the subject of every event of the types given
/// to ``Gateway/revokeTokens(on:)`` (so another gateway instance hears of a deletion too).
public final class RevokedSubjects: Sendable {
    private let subjects = Mutex<Set<String>>([])

    /// An empty set.
    public init() {}

    /// Refuses the tokens of `subject` from now on.
    public func revoke(_ subject: String) {
        _ = subjects.withLock { $0.insert(subject) }
    }

    /// Refuses the tokens of every subject in `list` from now on.
    public func revoke(contentsOf list: some Sequence<String>) {
        subjects.withLock { $0.formUnion(list) }
    }

    /// Whether tokens of `subject` are refused.
    public func contains(_ subject: String) -> Bool {
        subjects.withLock { $0.contains(subject) }
    }

    /// How many subjects are refused.
    public var count: Int { subjects.withLock { $0.count } }
}
