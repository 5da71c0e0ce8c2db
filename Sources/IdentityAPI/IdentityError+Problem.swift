public import ServiceKit

// What each failure is called at the edge and says to a person. Kept apart from the enum so the API's file split
// and the wording of its problems can change independently.
extension IdentityError {
    /// `invalid-email`, `weak-password`, `email-taken`, `invalid-credentials`, `too-many-attempts`,
    /// `invalid-refresh-token`, `refresh-token-reused` or `user-not-found`.
    public var problemType: String {
        switch self {
        case .invalidEmail: "invalid-email"
        case .weakPassword: "weak-password"
        case .emailTaken: "email-taken"
        case .invalidCredentials: "invalid-credentials"
        case .tooManyAttempts: "too-many-attempts"
        case .invalidRefreshToken: "invalid-refresh-token"
        case .refreshTokenReused: "refresh-token-reused"
        case .userNotFound: "user-not-found"
        }
    }

    /// A sentence saying what went wrong and, where there is one, what to do.
    public var detail: String {
        switch self {
        case .invalidEmail: "The e-mail address is not valid."
        case .weakPassword(let advice): "The password is too weak: \(advice)."
        case .emailTaken: "An account with this e-mail address already exists."
        case .invalidCredentials: "The e-mail address or the password is wrong."
        case .tooManyAttempts(let seconds): "Too many failed logins; try again in \(seconds) seconds."
        case .invalidRefreshToken: "The refresh token is unknown, expired or revoked; log in again."
        case .refreshTokenReused: "The refresh token was used before, so its sessions have been ended; log in again."
        case .userNotFound(let id): "No user has the id \(id.rawValue)."
        }
    }

    /// The field at fault for ``invalidEmail`` (`email`) and ``weakPassword(_:)`` (`password`).
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalidEmail: [FieldError(field: "email", message: "is not an e-mail address")]
        case .weakPassword(let advice): [FieldError(field: "password", message: "is too weak: \(advice)")]
        default: []
        }
    }
}
