import Foundation
import Identity
import IdentityAPI
import Messaging
import ModuleKit
import Security
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// A clock the test moves.
final class TestTime: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Identity's service alone, on a clock the test moves and a low throttling limit: its own database (migrated
/// as the module's), every call through the serialized transport.
struct IdentityFixture {
    static let secret = Array("identity-tests-secret-with-32-bytes!!".utf8)
    let directory: TemporaryDirectory
    let service: SQLiteIdentityService
    let identity: IdentityClient
    let time = TestTime()

    init() async throws {
        directory = try TemporaryDirectory()
        let time = time
        let database = try Database(path: directory.path("identity.sqlite"))
        try Module.identity.migrate(database)
        service = SQLiteIdentityService(
            database: database,
            outbox: Outbox(database: database, name: "identity"),
            configuration: .init(signingSecret: Self.secret, passwordCost: 1, maxFailedLogins: 3),
            now: { time.now }
        )
        var handlers = EndpointHandlers()
        handlers.registerIdentity(service)
        let registry = ServiceRegistry()
        registry.register(ServiceInstance(service: "identity", id: "identity-1", version: "test", address: .inProcess(handlers)))
        identity = IdentityClient(client: ServiceClient(registry: registry, transport: InProcessTransport(mode: .serialized)))
    }
}

@Suite struct IdentityTests {
    @Test func registrationNormalisesTheAddressAndRefusesDuplicatesAndWeakPasswords() async throws {
        let fixture = try await IdentityFixture()
        let user = try await fixture.identity.register(Registration(email: "  Ada@Example.COM ", password: "correct horse battery"))
        #expect(user.email == "ada@example.com")
        #expect(user.role == .customer)
        await #expect(throws: IdentityError.emailTaken) {
            try await fixture.identity.register(Registration(email: "ada@example.com", password: "another fine password"))
        }
        for email in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@.com"] {
            await #expect(throws: IdentityError.invalidEmail) {
                try await fixture.identity.register(Registration(email: email, password: "long enough pw"))
            }
        }
        await #expect(throws: IdentityError.weakPassword("use at least 10 characters")) {
            try await fixture.identity.register(Registration(email: "bob@example.com", password: "short"))
        }
        await #expect(throws: IdentityError.weakPassword("use more than two different characters")) {
            try await fixture.identity.register(Registration(email: "bob@example.com", password: "aaaaaaaaaaaa"))
        }
        // The password is stored only as a yescrypt hash, and the registration became an event.
        let stored = try await fixture.service.database.read { try $0.scalar(String.self, "SELECT password_hash FROM user") }
        #expect(stored?.hasPrefix("$y$") == true)
        let events = try await fixture.service.database.read { try $0.scalar(String.self, "SELECT type FROM outbox") }
        #expect(events == UserRegistered.eventType)
    }

    @Test func loginIssuesAShortLivedSignedTokenAndAWrongPasswordIsRefused() async throws {
        let fixture = try await IdentityFixture()
        let user = try await fixture.identity.register(Registration(email: "ada@example.com", password: "correct horse battery"))
        let session = try await fixture.identity.login(Credentials(email: "ADA@example.com", password: "correct horse battery"))
        let claims = try JWTSigner(secret: IdentityFixture.secret).verify(session.accessToken, now: fixture.time.now)
        #expect(claims.sub == user.id.rawValue)
        #expect(claims.role == "customer")
        #expect(claims.exp - claims.iat == 15 * 60)
        #expect(session.accessTokenExpiresAt == fixture.time.now.addingTimeInterval(900))
        await #expect(throws: IdentityError.invalidCredentials) {
            try await fixture.identity.login(Credentials(email: "ada@example.com", password: "wrong horse battery"))
        }
        await #expect(throws: IdentityError.invalidCredentials) {
            try await fixture.identity.login(Credentials(email: "nobody@example.com", password: "whatever it is"))
        }
    }

    @Test func repeatedFailuresAreThrottledPerAccountAndPerAddress() async throws {
        let fixture = try await IdentityFixture()
        _ = try await fixture.identity.register(Registration(email: "ada@example.com", password: "correct horse battery"))
        for _ in 0..<3 {
            _ = try? await fixture.identity.login(Credentials(email: "ada@example.com", password: "guess guess guess", clientAddress: "10.0.0.1"))
        }
        // Even the right password waits now, from any address.
        await #expect(throws: IdentityError.tooManyAttempts(retryAfterSeconds: 900)) {
            try await fixture.identity.login(Credentials(email: "ada@example.com", password: "correct horse battery", clientAddress: "10.0.0.2"))
        }
        // The guessing address is throttled for other accounts too.
        await #expect {
            try await fixture.identity.login(Credentials(email: "other@example.com", password: "guess guess guess", clientAddress: "10.0.0.1"))
        } throws: { error in
            if case .tooManyAttempts = error as? IdentityError { return true }
            return false
        }
        fixture.time.advance(seconds: 901)
        _ = try await fixture.identity.login(Credentials(email: "ada@example.com", password: "correct horse battery", clientAddress: "10.0.0.2"))
    }

    @Test func refreshTokensRotateAndAReusedOneRevokesTheFamily() async throws {
        let fixture = try await IdentityFixture()
        _ = try await fixture.identity.register(Registration(email: "ada@example.com", password: "correct horse battery"))
        let first = try await fixture.identity.login(Credentials(email: "ada@example.com", password: "correct horse battery"))
        let second = try await fixture.identity.refresh(RefreshToken(token: first.refreshToken))
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.user == first.user)
        // The old token again: someone else has it. The whole family goes, the newer token included.
        await #expect(throws: IdentityError.refreshTokenReused) { try await fixture.identity.refresh(RefreshToken(token: first.refreshToken)) }
        await #expect(throws: IdentityError.invalidRefreshToken) { try await fixture.identity.refresh(RefreshToken(token: second.refreshToken)) }
        await #expect(throws: IdentityError.invalidRefreshToken) { try await fixture.identity.refresh(RefreshToken(token: "made-up")) }
        // Only hashes are stored.
        let stored = try await fixture.service.database.read { try $0.query("SELECT token_hash FROM refresh_token").map { try $0[0] as String } }
        #expect(!stored.contains(first.refreshToken))
    }

    @Test func logoutEndsTheSessionAndExpiredRefreshTokensAreRefused() async throws {
        let fixture = try await IdentityFixture()
        _ = try await fixture.identity.register(Registration(email: "ada@example.com", password: "correct horse battery"))
        let session = try await fixture.identity.login(Credentials(email: "ada@example.com", password: "correct horse battery"))
        try await fixture.identity.logout(RefreshToken(token: session.refreshToken))
        await #expect(throws: IdentityError.invalidRefreshToken) { try await fixture.identity.refresh(RefreshToken(token: session.refreshToken)) }
        let later = try await fixture.identity.login(Credentials(email: "ada@example.com", password: "correct horse battery"))
        fixture.time.advance(seconds: 31 * 24 * 3600)
        await #expect(throws: IdentityError.invalidRefreshToken) { try await fixture.identity.refresh(RefreshToken(token: later.refreshToken)) }
    }

    @Test func deletingAnAccountErasesItsAddressAndSessionsOnceAndTellsEveryModule() async throws {
        let fixture = try await IdentityFixture()
        let email = "erase.me@example.com"
        let user = try await fixture.identity.register(Registration(email: email, password: "correct horse battery"))
        let session = try await fixture.identity.login(Credentials(email: email, password: "correct horse battery"))
        _ = try? await fixture.identity.login(Credentials(email: email, password: "a wrong guess here"))
        let deletion = try await fixture.identity.deleteUser(user.id)
        #expect(deletion == DeletedUser(id: user.id, deletedAt: fixture.time.now))
        // Again: the first deletion, and no second event.
        fixture.time.advance(seconds: 60)
        #expect(try await fixture.identity.deleteUser(user.id) == deletion)
        #expect(try await fixture.identity.deletedUsers() == [deletion])
        await #expect(throws: IdentityError.userNotFound(user.id)) { try await fixture.identity.user(user.id) }
        await #expect(throws: IdentityError.invalidRefreshToken) { try await fixture.identity.refresh(RefreshToken(token: session.refreshToken)) }
        await #expect(throws: IdentityError.invalidCredentials) {
            try await fixture.identity.login(Credentials(email: email, password: "correct horse battery"))
        }
        await #expect(throws: IdentityError.userNotFound("u-never")) { try await fixture.identity.deleteUser("u-never") }
        let events = try await fixture.service.database.read { connection in
            try connection.query("SELECT type, CAST(data AS TEXT) AS data FROM outbox ORDER BY seq").map {
                (try $0["type"] as String, try $0["data"] as String)
            }
        }
        #expect(events.map(\.0) == [UserRegistered.eventType, UserDeleted.eventType])
        #expect(events[0].1 == "{}")
        // Nothing of the address is left anywhere in the files, the write-ahead log included.
        for file in try FileManager.default.contentsOfDirectory(atPath: fixture.directory.url.path) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.directory.path(file)))
            #expect(bytes.range(of: Data(email.utf8)) == nil, "\(file) (\(bytes.count) bytes) still holds the address")
        }
        // The address is free for a new account, with a new id.
        let again = try await fixture.identity.register(Registration(email: email, password: "correct horse battery"))
        #expect(again.id != user.id)
    }

    @Test func theFirstAdministratorComesFromTheSettingsOnce() async throws {
        let settings = ModuleSettings([
            "identity.admin-email": "root@example.com", "identity.admin-password": "administrator password", "identity.password-cost": "1",
        ])
        try await ModuleHarness.run(.identity, settings: settings) { harness in
            #expect(harness.notes == ["administrator root@example.com, with the password given in identity.admin-password"])
            let identity = IdentityClient(client: harness.client)
            let session = try await identity.login(Credentials(email: "root@example.com", password: "administrator password"))
            #expect(session.user.role == .admin)
            #expect(try await identity.user(session.user.id) == session.user)
            await #expect(throws: IdentityError.userNotFound("u-none")) { try await identity.user("u-none") }
            // The first-start step runs at every start and changes nothing the second time.
            _ = try await harness.host.seed()
            #expect(try await harness.database.read { try $0.scalar(Int.self, "SELECT count(*) FROM user") } == 1)
            // Its registration event reaches nobody here, but it was committed with the user.
            #expect(try await harness.database.read { try $0.scalar(String.self, "SELECT type FROM outbox") } == UserRegistered.eventType)
        }
    }

    @Test func withoutAPasswordTheFirstAdministratorsIsGeneratedAndKeptPrivately() async throws {
        try await ModuleHarness.run(.identity, settings: ModuleSettings(["identity.password-cost": "1"])) { harness in
            let file = harness.directory.path("initial-admin-password")
            let password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(password.count >= 20)
            #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
            #expect(harness.notes == ["administrator admin@emporium.local / \(password) (kept in \(file))"])
            let session = try await IdentityClient(client: harness.client).login(Credentials(email: "admin@emporium.local", password: password))
            #expect(session.user.role == .admin)
        }
    }

    @Test func theLoginThrottleComesFromTheSettings() async throws {
        let guess = Credentials(email: "admin@emporium.local", password: "guess guess guess", clientAddress: "10.0.0.1")
        let strict = ModuleSettings(["identity.password-cost": "1", "identity.max-failed-logins": "2", "identity.login-throttle-window": "60"])
        try await ModuleHarness.run(.identity, settings: strict) { harness in
            let identity = IdentityClient(client: harness.client)
            for _ in 0..<2 { await #expect(throws: IdentityError.invalidCredentials) { try await identity.login(guess) } }
            await #expect(throws: IdentityError.tooManyAttempts(retryAfterSeconds: 60)) { try await identity.login(guess) }
        }
        // A fuzz run guesses the administrator's password thousands of times from one address, and logs in between.
        let lenient = ModuleSettings(["identity.password-cost": "1", "identity.max-failed-logins": "1000000"])
        try await ModuleHarness.run(.identity, settings: lenient) { harness in
            let identity = IdentityClient(client: harness.client)
            for _ in 0..<20 { await #expect(throws: IdentityError.invalidCredentials) { try await identity.login(guess) } }
        }
        await #expect {
            try await ModuleHarness.run(.identity, settings: ModuleSettings(["identity.max-failed-logins": "0"])) { _ in }
        } throws: { error in
            "\(error)" == "identity.max-failed-logins must be a whole number from 1 to 1000000, not '0'"
        }
    }

    @Test func aBadSettingStopsTheStartWithASentence() async throws {
        await #expect {
            try await ModuleHarness.run(.identity, settings: ModuleSettings(["identity.password-cost": "lots"])) { _ in }
        } throws: { error in
            "\(error)" == "identity.password-cost must be a whole number from 1 to 11, not 'lots'"
        }
        await #expect {
            try await ModuleHarness.run(.identity, settings: ModuleSettings(["identity.admin-mail": "x@example.com"])) { _ in }
        } throws: { error in
            "\(error)".hasPrefix("unknown setting identity.admin-mail; settings: identity.admin-email, identity.admin-password")
        }
    }

    @Test func theSigningSecretIsCreatedOncePrivately() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("jwt-secret")
        let first = try SigningSecret.loadOrCreate(at: path)
        #expect(first.count == 32)
        #expect(try SigningSecret.loadOrCreate(at: path) == first)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: SigningSecret.SecretError.self) { try SigningSecret.loadOrCreate(at: path) }
    }
}
