public import Messaging

/// The events Identity publishes.
public enum IdentityEvents {
    /// Every event type Identity publishes through its outbox.
    public static let published = [UserRegistered.eventType]
}

/// A user registered.
public struct UserRegistered: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "identity.user-registered.v1"
    /// The new user.
    public var user: User
    /// Creates the event.
    public init(user: User) { self.user = user }
}
