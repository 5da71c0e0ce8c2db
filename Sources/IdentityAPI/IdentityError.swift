public import ServiceKit

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
