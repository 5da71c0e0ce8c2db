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
