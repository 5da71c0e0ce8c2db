public import Foundation

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
