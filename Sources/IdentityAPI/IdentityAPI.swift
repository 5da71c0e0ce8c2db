public import Foundation
public import Messaging
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

/// A new account.
public struct Registration: Codable, Sendable, Hashable {
    /// The e-mail address; compared without case and surrounding spaces.
    public var email: String
    /// The password: at least 10 characters, not one repeated character.
    public var password: String

    /// Creates a registration.
    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }
}

/// A login attempt.
public struct Credentials: Codable, Sendable, Hashable {
    /// The e-mail address.
    public var email: String
    /// The password.
    public var password: String
    /// Where the attempt comes from (the gateway fills in the client address), for throttling.
    public var clientAddress: String?

    /// Creates credentials.
    public init(email: String, password: String, clientAddress: String? = nil) {
        self.email = email
        self.password = password
        self.clientAddress = clientAddress
    }
}

/// What a successful login or refresh returns.
public struct Session: Codable, Sendable, Hashable {
    /// A short-lived JWT (HS256) for the `Authorization: Bearer` header.
    public var accessToken: String
    /// When the access token expires.
    public var accessTokenExpiresAt: Date
    /// An opaque token that buys one new session; it is replaced on every use.
    public var refreshToken: String
    /// When the refresh token expires.
    public var refreshTokenExpiresAt: Date
    /// Who is logged in.
    public var user: User

    /// Creates a session.
    public init(accessToken: String, accessTokenExpiresAt: Date, refreshToken: String, refreshTokenExpiresAt: Date, user: User) {
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.user = user
    }
}

/// A refresh or logout request.
public struct RefreshToken: Codable, Sendable, Hashable {
    /// The refresh token of a session.
    public var token: String
    /// Creates the request.
    public init(token: String) { self.token = token }
}

/// Why the identity service refused.
public enum IdentityError: ServiceFailure {
    /// The address is not an e-mail address.
    case invalidEmail
    /// The password does not meet the policy; the text says how.
    case weakPassword(String)
    /// An account with this address exists.
    case emailTaken
    /// Unknown address or wrong password (deliberately not saying which).
    case invalidCredentials
    /// Too many failed logins for this account or address; try again after this many seconds.
    case tooManyAttempts(retryAfterSeconds: Int)
    /// The refresh token is unknown, expired or revoked.
    case invalidRefreshToken
    /// A refresh token was used twice: its whole family is revoked, the user must log in again.
    case refreshTokenReused
    /// No user has this id.
    case userNotFound(UserID)

    /// For ``tooManyAttempts(retryAfterSeconds:)``, when to try again.
    public var retryAfter: Duration? {
        if case .tooManyAttempts(let seconds) = self { return .seconds(seconds) }
        return nil
    }
}

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

/// Accounts, logins and sessions.
public protocol IdentityService: Sendable {
    /// Creates a customer account.
    func register(_ registration: Registration) async throws -> User
    /// Logs in: an access token and a refresh token.
    func login(_ credentials: Credentials) async throws -> Session
    /// Replaces a refresh token with a new session.
    func refresh(_ token: RefreshToken) async throws -> Session
    /// Ends the session family of a refresh token.
    func logout(_ token: RefreshToken) async throws
    /// A user by id.
    func user(_ id: UserID) async throws -> User
}

/// The identity service's endpoints.
public enum IdentityEndpoints {
    /// ``IdentityService/register(_:)``.
    public static let register = Endpoint<Registration, User>("identity.register", timeout: .seconds(10), failure: IdentityError.self)
    /// ``IdentityService/login(_:)``.
    public static let login = Endpoint<Credentials, Session>("identity.login", timeout: .seconds(10), failure: IdentityError.self)
    /// ``IdentityService/refresh(_:)``.
    public static let refresh = Endpoint<RefreshToken, Session>("identity.refresh", failure: IdentityError.self)
    /// ``IdentityService/logout(_:)``.
    public static let logout = Endpoint<RefreshToken, NoInput>("identity.logout", idempotent: true, failure: IdentityError.self)
    /// ``IdentityService/user(_:)``.
    public static let user = Endpoint<UserID, User>("identity.user", idempotent: true, failure: IdentityError.self)
}

/// Identity as other modules and the gateway reach it.
public struct IdentityClient: IdentityService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func register(_ registration: Registration) async throws -> User { try await client.call(IdentityEndpoints.register, registration) }
    public func login(_ credentials: Credentials) async throws -> Session { try await client.call(IdentityEndpoints.login, credentials) }
    public func refresh(_ token: RefreshToken) async throws -> Session { try await client.call(IdentityEndpoints.refresh, token) }
    public func logout(_ token: RefreshToken) async throws { _ = try await client.call(IdentityEndpoints.logout, token) }
    public func user(_ id: UserID) async throws -> User { try await client.call(IdentityEndpoints.user, id) }
}

extension EndpointHandlers {
    /// Registers every identity endpoint to be answered by `service`.
    public mutating func registerIdentity(_ service: some IdentityService) {
        register(IdentityEndpoints.register) { try await service.register($0) }
        register(IdentityEndpoints.login) { try await service.login($0) }
        register(IdentityEndpoints.refresh) { try await service.refresh($0) }
        register(IdentityEndpoints.logout) { token in
            try await service.logout(token)
            return NoInput()
        }
        register(IdentityEndpoints.user) { try await service.user($0) }
    }
}
