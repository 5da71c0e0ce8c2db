public import Foundation
public import ServiceKit

/// Tags ``UserID``.
public enum UserTag {}
/// A user's identifier.
public typealias UserID = Identifier<UserTag>

/// What a user may do.
public enum UserRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// Shops: sees only their own cart, orders and profile.
    case customer
    /// Runs the shop: admin routes and the operations dashboard.
    case admin
}

/// A registered user, without secrets.
public struct User: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: UserID
    /// The normalised e-mail address.
    public var email: String
    /// Its role.
    public var role: UserRole
    /// When it registered.
    public var createdAt: Date

    /// Creates a user value.
    public init(id: UserID, email: String, role: UserRole, createdAt: Date) {
        self.id = id
        self.email = email
        self.role = role
        self.createdAt = createdAt
    }
}

/// An account that was deleted: only its id and when, nothing about the person.
public struct DeletedUser: Codable, Sendable, Hashable {
    /// The deleted user's id.
    public var id: UserID
    /// When it was deleted.
    public var deletedAt: Date

    /// Creates the value.
    public init(id: UserID, deletedAt: Date) {
        self.id = id
        self.deletedAt = deletedAt
    }
}
