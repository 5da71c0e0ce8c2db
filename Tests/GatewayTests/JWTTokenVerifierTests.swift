import Foundation
import Gateway
import Security
import Testing

@Suite struct JWTTokenVerifierTests {
    static let signer = JWTSigner(secret: Array("gateway-tests-secret-with-32-bytes!!!".utf8))

    @Test func aValidTokenYieldsItsSubjectAndRole() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let token = Self.signer.sign(JWTClaims(sub: "u-42", role: "admin", iat: now, exp: now + 60))
        let principal = try await JWTTokenVerifier(signer: Self.signer).verify(bearerToken: token)
        #expect(principal == Principal(subject: "u-42", role: "admin"))
    }

    @Test func expiredForgedAndGarbageTokensAreRefused() async throws {
        let verifier = JWTTokenVerifier(signer: Self.signer)
        let now = Int64(Date().timeIntervalSince1970)
        let expired = Self.signer.sign(JWTClaims(sub: "u-42", role: "customer", iat: now - 3600, exp: now - 1800))
        let forged = JWTSigner(secret: Array("some-other-secret-that-is-32-bytes!!".utf8)).sign(
            JWTClaims(sub: "u-42", role: "admin", iat: now, exp: now + 60)
        )
        for token in [expired, forged, "garbage"] {
            await #expect(throws: JWTError.self) { try await verifier.verify(bearerToken: token) }
        }
    }
}
