public import Security

/// Verifies bearer tokens as HS256 JSON Web Tokens (`Security.JWTSigner`): the subject and role come from the
/// token's `sub` and `role` claims. Signature, algorithm and time checks are the signer's.
public struct JWTTokenVerifier: TokenVerifier {
    private let signer: JWTSigner

    /// A verifier for tokens signed with `signer`'s secret.
    public init(signer: JWTSigner) {
        self.signer = signer
    }

    /// The principal of a valid token.
    /// - Throws: `Security.JWTError` naming why the token is refused.
    public func verify(bearerToken: String) async throws -> Principal {
        let claims = try signer.verify(bearerToken)
        return Principal(subject: claims.sub, role: Role(rawValue: claims.role))
    }
}
