public import Foundation
public import Messaging

/// The events Identity publishes.
public enum IdentityEvents {
    /// Every event type Identity publishes through its outbox.
    public static let published = [UserRegistered.eventType, UserDeleted.eventType]
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

/// A user deleted their account: every module erases or anonymises what it holds about them. The subject is the
/// user id; the event carries nothing else about the person.
public struct UserDeleted: DomainEvent, Hashable {
    /// The event type.
    public static let eventType = "identity.user-deleted.v1"
    /// The deleted user's id (a customer's ``Commerce/CustomerID`` has the same raw value).
    public var userId: UserID
    /// When the account was deleted.
    public var deletedAt: Date
    /// Creates the event.
    public init(userId: UserID, deletedAt: Date) {
        self.userId = userId
        self.deletedAt = deletedAt
    }
}
