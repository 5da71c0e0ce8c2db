public import ServiceKit

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
    /// Deletes an account for good: the user, its sessions and what login throttling keeps of its address; the
    /// account's tokens stop working and ``UserDeleted`` tells every module to erase its data. Deleting again
    /// returns the first deletion.
    /// - Throws: ``IdentityError/userNotFound(_:)`` for an id that never existed.
    func deleteUser(_ id: UserID) async throws -> DeletedUser
    /// Every deleted account, for the gateway to refuse their tokens.
    func deletedUsers() async throws -> [DeletedUser]
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
    /// ``IdentityService/deleteUser(_:)``: idempotent.
    public static let deleteUser = Endpoint<UserID, DeletedUser>("identity.delete-user", idempotent: true, failure: IdentityError.self)
    /// ``IdentityService/deletedUsers()``.
    public static let deletedUsers = Endpoint<NoInput, [DeletedUser]>("identity.deleted-users", idempotent: true, failure: IdentityError.self)
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
    public func deleteUser(_ id: UserID) async throws -> DeletedUser { try await client.call(IdentityEndpoints.deleteUser, id) }
    public func deletedUsers() async throws -> [DeletedUser] { try await client.call(IdentityEndpoints.deletedUsers, NoInput()) }
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
        register(IdentityEndpoints.deleteUser) { try await service.deleteUser($0) }
        register(IdentityEndpoints.deletedUsers) { _ in try await service.deletedUsers() }
    }
}
