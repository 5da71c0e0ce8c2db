public import IdentityAPI
public import ServiceKit

/// Identity's API answered by closures; each method the test does not set records a test issue when called.
public struct MockIdentity: IdentityService {
    public var onRegister: @Sendable (Registration) async throws -> User = unexpected("IdentityService.register")
    public var onLogin: @Sendable (Credentials) async throws -> Session = unexpected("IdentityService.login")
    public var onRefresh: @Sendable (RefreshToken) async throws -> Session = unexpected("IdentityService.refresh")
    public var onLogout: @Sendable (RefreshToken) async throws -> Void = unexpected("IdentityService.logout")
    public var onUser: @Sendable (UserID) async throws -> User = unexpected("IdentityService.user")
    public var onDeleteUser: @Sendable (UserID) async throws -> DeletedUser = unexpected("IdentityService.deleteUser")
    public var onDeletedUsers: @Sendable (NoInput) async throws -> [DeletedUser] = unexpected("IdentityService.deletedUsers")

    /// Identity expecting no calls.
    public init() {}

    public func register(_ registration: Registration) async throws -> User { try await onRegister(registration) }
    public func login(_ credentials: Credentials) async throws -> Session { try await onLogin(credentials) }
    public func refresh(_ token: RefreshToken) async throws -> Session { try await onRefresh(token) }
    public func logout(_ token: RefreshToken) async throws { try await onLogout(token) }
    public func user(_ id: UserID) async throws -> User { try await onUser(id) }
    public func deleteUser(_ id: UserID) async throws -> DeletedUser { try await onDeleteUser(id) }
    public func deletedUsers() async throws -> [DeletedUser] { try await onDeletedUsers(NoInput()) }

    /// The mock as the `identity` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerIdentity(self)
        return MockService(name: "identity", handlers: handlers)
    }
}
