import Gateway
import HTTP
import IdentityAPI
import ServiceKit

/// Identity at the edge: registration, login, sessions, the signed-in user.
enum IdentityRoutes {
    @Sendable
    static func add(to gateway: inout Gateway) {
        gateway.route(.post, "/api/v1/auth/register", to: IdentityEndpoints.register, rateLimitClass: "auth", status: .created) {
            try $0.decodeBody(Registration.self)
        }
        gateway.route(.post, "/api/v1/auth/login", to: IdentityEndpoints.login, rateLimitClass: "auth") { request in
            let body = try request.decodeBody(Credentials.self)
            // Throttling counts the address the connection comes from, never one the client claims.
            return Credentials(email: body.email, password: body.password, clientAddress: request.http.remoteAddress?.host)
        }
        gateway.route(.post, "/api/v1/auth/refresh", to: IdentityEndpoints.refresh, rateLimitClass: "auth") {
            try $0.decodeBody(RefreshToken.self)
        }
        gateway.route(.post, "/api/v1/auth/logout", to: IdentityEndpoints.logout, rateLimitClass: "auth", status: .noContent) {
            try $0.decodeBody(RefreshToken.self)
        }
        gateway.route(.get, "/api/v1/me", to: IdentityEndpoints.user, access: .authenticated(nil)) { request in
            guard let subject = request.principal?.subject else { throw GatewayError(status: .unauthorized, detail: "The token names no user.") }
            return UserID(rawValue: subject)
        }
        // Deleting one's account: Identity deletes it and tells every module to erase what it holds (they do so as
        // the event reaches them, hence 202); the account's tokens are refused from this response on.
        let identity = IdentityClient(client: gateway.client)
        let revoked = gateway.revokedSubjects
        gateway.route(.delete, "/api/v1/me", access: .authenticated("customer"), status: .accepted) { request in
            guard let principal = request.principal else { throw GatewayError(status: .unauthorized, detail: "The token names no user.") }
            guard principal.role != "admin" else {
                throw GatewayError(status: .forbidden, detail: "An administrator's account cannot be deleted through the API.")
            }
            let deletion = try await identity.deleteUser(UserID(rawValue: principal.subject))
            revoked.revoke(principal.subject)
            return deletion
        }
        gateway.revokeTokens(on: [UserDeleted.eventType])
        gateway.mapFailures(IdentityError.self) { error in
            switch error {
            case .invalidEmail, .weakPassword: .unprocessableContent
            case .emailTaken: .conflict
            case .invalidCredentials, .invalidRefreshToken, .refreshTokenReused: .unauthorized
            case .tooManyAttempts: .tooManyRequests
            case .userNotFound: .notFound
            }
        }
    }
}
