public import Foundation
public import IdentityAPI
public import Messaging
import Security
public import ServiceKit
public import Storage

/// Accounts and sessions over Identity's own database.
///
/// Access tokens are JWT HS256 with `sub`, `role`, `iat`, `exp` (15 minutes by default). Refresh tokens are
/// random, stored only as SHA-256 hashes, and rotate on every use; presenting one that was already used revokes
/// its whole family (RFC 6819 §5.2.2.3), since it means the token leaked. Failed logins are throttled per
/// account and per client address.
public struct SQLiteIdentityService: IdentityService {
    /// How accounts and sessions behave.
    public struct Configuration: Sendable {
        /// The HS256 secret (see ``SigningSecret``).
        public var signingSecret: [UInt8]
        /// How long an access token lives.
        public var accessTokenLifetime: Duration
        /// How long a refresh token lives.
        public var refreshTokenLifetime: Duration
        /// yescrypt cost for new password hashes.
        public var passwordCost: Int
        /// Failed logins per account, and per address, allowed within `throttleWindow`.
        public var maxFailedLogins: Int
        /// The window failed logins are counted in.
        public var throttleWindow: Duration

        /// Creates a configuration.
        public init(
            signingSecret: [UInt8],
            accessTokenLifetime: Duration = .seconds(15 * 60),
            refreshTokenLifetime: Duration = .seconds(30 * 24 * 3600),
            passwordCost: Int = 5,
            maxFailedLogins: Int = 5,
            throttleWindow: Duration = .seconds(15 * 60)
        ) {
            self.signingSecret = signingSecret
            self.accessTokenLifetime = accessTokenLifetime
            self.refreshTokenLifetime = refreshTokenLifetime
            self.passwordCost = passwordCost
            self.maxFailedLogins = maxFailedLogins
            self.throttleWindow = throttleWindow
        }
    }

    /// Identity's database.
    public let database: Database
    /// Identity's outbox.
    public let outbox: Outbox
    private let configuration: Configuration
    private let signer: JWTSigner
    private let hasher: PasswordHasher
    private let now: @Sendable () -> Date

    /// Identity over `database`, migrated with ``Module/identity``'s migrations, writing its events to `outbox`.
    public init(database: Database, outbox: Outbox, configuration: Configuration, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.outbox = outbox
        self.configuration = configuration
        self.signer = JWTSigner(secret: configuration.signingSecret)
        self.hasher = PasswordHasher(cost: configuration.passwordCost)
        self.now = now
    }

    /// Creates an administrator unless a user has the address already: the first start's step.
    /// - Returns: Whether it was created.
    /// - Throws: ``IdentityError`` when the registration is invalid, ``StorageError``.
    @discardableResult
    public func ensureAdministrator(_ registration: Registration) async throws -> Bool {
        let email = try Self.normalizedEmail(registration.email)
        let exists = try await database.read { try $0.queryFirst("SELECT 1 FROM user WHERE email = ?", [email]) != nil }
        guard !exists else { return false }
        do {
            _ = try await create(registration, role: .admin)
        } catch IdentityError.emailTaken {
            return false
        }
        return true
    }

    // MARK: - Accounts

    public func register(_ registration: Registration) async throws -> User {
        try await create(registration, role: .customer)
    }

    private func create(_ registration: Registration, role: UserRole) async throws -> User {
        let email = try Self.normalizedEmail(registration.email)
        try Self.checkPolicy(registration.password)
        let hash = try hasher.hash(registration.password)
        let user = User(id: UserID(rawValue: "u-" + EventID.make()), email: email, role: role, createdAt: now())
        let outbox = outbox
        do {
            try await database.write { connection in
                try connection.execute(
                    "INSERT INTO user (id, email, password_hash, role, created_at_us) VALUES (?, ?, ?, ?, ?)",
                    [user.id.rawValue, email, hash, role.rawValue, Self.microseconds(user.createdAt)]
                )
                try outbox.enqueue(Envelope(UserRegistered(user: user), source: "/emporium/identity", subject: user.id.rawValue), in: connection)
            }
        } catch let error as StorageError where error.resultCode == .constraintUnique {
            throw IdentityError.emailTaken
        }
        return user
    }

    public func user(_ id: UserID) async throws -> User {
        let user = try await database.read { try $0.fetchOne(UserRow.self, "SELECT * FROM user WHERE id = ?", [id.rawValue]) }
        guard let user else { throw IdentityError.userNotFound(id) }
        return user.user
    }

    public func deleteUser(_ id: UserID) async throws -> DeletedUser {
        let deletedAt = now()
        let outbox = outbox
        let deletion = try await database.write { connection -> DeletedUser? in
            if let row = try connection.queryFirst("SELECT deleted_at_us FROM deleted_user WHERE id = ?", [id.rawValue]) {
                return DeletedUser(id: id, deletedAt: Self.date(microseconds: try row["deleted_at_us"]))
            }
            guard let email = try connection.scalar(String.self, "SELECT email FROM user WHERE id = ?", [id.rawValue]) else { return nil }
            try connection.execute("DELETE FROM refresh_token WHERE user_id = ?", [id.rawValue])
            try connection.execute("DELETE FROM login_failure WHERE key = ?", [Self.throttleKey(account: email)])
            try connection.execute("DELETE FROM user WHERE id = ?", [id.rawValue])
            try connection.execute("INSERT INTO deleted_user (id, deleted_at_us) VALUES (?, ?)", [id.rawValue, Self.microseconds(deletedAt)])
            // The registration event in the outbox carries the address.
            try MessagingSchema.forget(subject: id.rawValue, in: connection)
            try outbox.enqueue(
                Envelope(UserDeleted(userId: id, deletedAt: deletedAt), source: "/emporium/identity", subject: id.rawValue),
                in: connection
            )
            return DeletedUser(id: id, deletedAt: deletedAt)
        }
        guard let deletion else { throw IdentityError.userNotFound(id) }
        // Earlier versions of the erased pages must not survive in the write-ahead log.
        try await database.truncateLog()
        return deletion
    }

    public func deletedUsers() async throws -> [DeletedUser] {
        try await database.read { connection in
            try connection.query("SELECT id, deleted_at_us FROM deleted_user ORDER BY deleted_at_us").map { row in
                DeletedUser(id: UserID(rawValue: try row["id"]), deletedAt: Self.date(microseconds: try row["deleted_at_us"]))
            }
        }
    }

    // MARK: - Sessions

    public func login(_ credentials: Credentials) async throws -> Session {
        let email = (try? Self.normalizedEmail(credentials.email)) ?? credentials.email.lowercased()
        let keys = [Self.throttleKey(account: email)] + (credentials.clientAddress.map { [Self.throttleKey(address: $0)] } ?? [])
        if let wait = try await throttled(keys) { throw IdentityError.tooManyAttempts(retryAfterSeconds: wait) }
        let row = try await database.read { try $0.fetchOne(UserRow.self, "SELECT * FROM user WHERE email = ?", [email]) }
        // A hash is computed even for an unknown address, so timing does not tell which addresses exist.
        let verified = hasher.verify(credentials.password, against: row?.passwordHash ?? Self.decoyHash)
        guard let row, verified else {
            try await recordFailure(keys)
            throw IdentityError.invalidCredentials
        }
        try await database.write { try $0.execute("DELETE FROM login_failure WHERE key = ?", [keys[0]]) }
        return try await issueSession(for: row.user, family: EventID.make())
    }

    public func refresh(_ token: RefreshToken) async throws -> Session {
        let hash = Self.tokenHash(token.token)
        let current = Self.microseconds(now())
        let outcome = try await database.write { connection -> Result<(UserRow, String), IdentityError> in
            guard let row = try connection.queryFirst("SELECT * FROM refresh_token WHERE token_hash = ?", [hash]) else {
                return .failure(.invalidRefreshToken)
            }
            let family: String = try row["family"]
            if try row["revoked_at_us"] as Int64? != nil { return .failure(.invalidRefreshToken) }
            if try row["used_at_us"] as Int64? != nil {
                try connection.execute("UPDATE refresh_token SET revoked_at_us = ? WHERE family = ? AND revoked_at_us IS NULL", [current, family])
                return .failure(.refreshTokenReused)
            }
            guard try row["expires_at_us"] as Int64 > current else { return .failure(.invalidRefreshToken) }
            try connection.execute("UPDATE refresh_token SET used_at_us = ? WHERE token_hash = ?", [current, hash])
            guard let user = try connection.fetchOne(UserRow.self, "SELECT * FROM user WHERE id = ?", [try row["user_id"] as String]) else {
                return .failure(.invalidRefreshToken)
            }
            return .success((user, family))
        }
        let (user, family) = try outcome.get()
        return try await issueSession(for: user.user, family: family)
    }

    public func logout(_ token: RefreshToken) async throws {
        let hash = Self.tokenHash(token.token)
        let current = Self.microseconds(now())
        try await database.write { connection in
            guard let family = try connection.scalar(String.self, "SELECT family FROM refresh_token WHERE token_hash = ?", [hash]) else { return }
            try connection.execute("UPDATE refresh_token SET revoked_at_us = ? WHERE family = ? AND revoked_at_us IS NULL", [current, family])
        }
    }

    private func issueSession(for user: User, family: String) async throws -> Session {
        let issued = now()
        let accessExpiry = issued.addingTimeInterval(configuration.accessTokenLifetime / .seconds(1))
        let refreshExpiry = issued.addingTimeInterval(configuration.refreshTokenLifetime / .seconds(1))
        let claims = JWTClaims(
            sub: user.id.rawValue,
            role: user.role.rawValue,
            iat: Int64(issued.timeIntervalSince1970),
            exp: Int64(accessExpiry.timeIntervalSince1970),
            jti: EventID.make()
        )
        let refresh = Base64URL.encode(SecureRandom.bytes(32))
        try await database.write { connection in
            try connection.execute(
                "INSERT INTO refresh_token (token_hash, user_id, family, expires_at_us) VALUES (?, ?, ?, ?)",
                [Self.tokenHash(refresh), user.id.rawValue, family, Self.microseconds(refreshExpiry)]
            )
        }
        return Session(
            accessToken: signer.sign(claims),
            accessTokenExpiresAt: accessExpiry,
            refreshToken: refresh,
            refreshTokenExpiresAt: refreshExpiry,
            user: user
        )
    }

    // MARK: - Throttling

    /// Seconds to wait when any key has used up its failures in the current window, else `nil`.
    private func throttled(_ keys: [String]) async throws -> Int? {
        let current = Self.microseconds(now())
        let window = Int64(configuration.throttleWindow / .microseconds(1))
        let limit = configuration.maxFailedLogins
        return try await database.read { connection in
            var wait: Int64?
            for key in keys {
                guard let row = try connection.queryFirst("SELECT failures, window_start_us FROM login_failure WHERE key = ?", [key]) else {
                    continue
                }
                let start: Int64 = try row["window_start_us"]
                if try row["failures"] as Int >= limit, current < start + window {
                    wait = max(wait ?? 0, (start + window - current + 999_999) / 1_000_000)
                }
            }
            return wait.map { Int($0) }
        }
    }

    private func recordFailure(_ keys: [String]) async throws {
        let current = Self.microseconds(now())
        let window = Int64(configuration.throttleWindow / .microseconds(1))
        try await database.write { connection in
            for key in keys {
                // A failure after the window starts a new one.
                try connection.execute(
                    """
                    INSERT INTO login_failure (key, failures, window_start_us) VALUES (:key, 1, :now)
                    ON CONFLICT (key) DO UPDATE SET
                        failures = CASE WHEN window_start_us + :window <= :now THEN 1 ELSE failures + 1 END,
                        window_start_us = CASE WHEN window_start_us + :window <= :now THEN :now ELSE window_start_us END
                    """,
                    ["key": key, "now": current, "window": window]
                )
            }
        }
    }

    // MARK: - Rules

    static func normalizedEmail(_ text: String) throws(IdentityError) -> String {
        let email = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw .invalidEmail }
        return email
    }

    static func checkPolicy(_ password: String) throws(IdentityError) {
        guard password.count >= 10 else { throw .weakPassword("use at least 10 characters") }
        guard password.count <= 128 else { throw .weakPassword("use at most 128 characters") }
        guard Set(password).count > 2 else { throw .weakPassword("use more than two different characters") }
    }

    /// A hash of a password nobody has, verified against when the address is unknown.
    private static let decoyHash = (try? PasswordHasher(cost: 5).hash(Base64URL.encode(SecureRandom.bytes(16)))) ?? "*"

    /// Failed logins are counted under hashes, so the table holds no address, e-mail or network.
    static func throttleKey(account email: String) -> String { "account:" + tokenHash(email) }
    static func throttleKey(address: String) -> String { "address:" + tokenHash(address) }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
    static func date(microseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }
}

private struct UserRow: RowDecodable {
    let user: User
    let passwordHash: String

    init(row: Row) throws {
        user = User(
            id: UserID(rawValue: try row["id"]),
            email: try row["email"],
            role: UserRole(rawValue: try row["role"]) ?? .customer,
            createdAt: Date(timeIntervalSince1970: Double(try row["created_at_us"] as Int64) / 1_000_000)
        )
        passwordHash = try row["password_hash"]
    }
}
