import Foundation
import IdentityAPI
public import ModuleKit
import Security
import ServiceKit

extension Module {
    /// Identity: accounts, logins and sessions in `identity.sqlite`; tokens signed with the system's secret.
    ///
    /// Settings: `identity.admin-email` and `identity.admin-password`, the first administrator, created on first
    /// start (without a password, one is generated and kept in the data directory's `initial-admin-password`,
    /// mode 0600); `identity.password-cost`, yescrypt's cost for new password hashes; `identity.max-failed-logins`
    /// and `identity.login-throttle-window`, how many failed logins an account or a client address may have within
    /// how many seconds before further logins wait (a fuzzer guessing passwords from one address raises them).
    public static let identity = Module(
        name: "identity",
        migrations: IdentitySchema.migrator,
        publishes: IdentityEvents.published,
        settings: [
            ModuleSetting("admin-email", default: "admin@emporium.local", help: "the first administrator's e-mail address"),
            ModuleSetting("admin-password", help: "the first administrator's password; generated on first start when not given"),
            ModuleSetting("password-cost", default: "5", help: "yescrypt's cost for new password hashes, 1 to 11"),
            ModuleSetting("max-failed-logins", default: "5", help: "failed logins per account and per client address before further logins wait"),
            ModuleSetting("login-throttle-window", default: "900", help: "seconds within which failed logins are counted (15 minutes)"),
        ]
    ) { context in
        let cost = try context.settings.integer("password-cost", in: 1...11) ?? 5
        let maxFailedLogins = try context.settings.integer("max-failed-logins", in: 1...1_000_000) ?? 5
        let throttleWindow = try context.settings.seconds("login-throttle-window") ?? .seconds(900)
        let service = SQLiteIdentityService(
            database: context.database,
            outbox: context.outbox,
            configuration: SQLiteIdentityService.Configuration(
                signingSecret: context.signingSecret,
                passwordCost: cost,
                maxFailedLogins: maxFailedLogins,
                throttleWindow: throttleWindow
            )
        )
        var handlers = EndpointHandlers()
        handlers.registerIdentity(service)
        let email = context.settings.string("admin-email") ?? "admin@emporium.local"
        let givenPassword = context.settings.string("admin-password")
        let dataDirectory = context.dataDirectory
        let seed: @Sendable () async throws -> [String] = {
            if let givenPassword {
                try await service.ensureAdministrator(Registration(email: email, password: givenPassword))
                return ["administrator \(email), with the password given in identity.admin-password"]
            }
            guard let dataDirectory else {
                let password = Base64URL.encode(SecureRandom.bytes(18))
                if try await service.ensureAdministrator(Registration(email: email, password: password)) {
                    return ["administrator \(email) / \(password) (in memory only)"]
                }
                return ["administrator \(email)"]
            }
            let file = "\(dataDirectory)/initial-admin-password"
            let password: String
            do {
                password = try SecretFile.readOrCreate(at: file) { Base64URL.encode(SecureRandom.bytes(18)) }
            } catch let failure as SecretFile.Failure {
                throw ModuleSettingError(key: "identity.admin-password", message: failure.message)
            }
            try await service.ensureAdministrator(Registration(email: email, password: password))
            return ["administrator \(email) / \(password) (kept in \(file))"]
        }
        return ModuleParts(handlers: handlers, seed: seed)
    }
}
