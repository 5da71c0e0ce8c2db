import Foundation
import Security
import Testing

@Suite struct JWTTests {
    static let secret = Array("an-hs256-secret-of-at-least-32-bytes!!".utf8)
    let signer = JWTSigner(secret: JWTTests.secret)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func claims(iat: Int64 = 1_800_000_000, exp: Int64 = 1_800_000_900, nbf: Int64? = nil) -> JWTClaims {
        JWTClaims(sub: "user-42", role: "customer", iat: iat, exp: exp, nbf: nbf, jti: "t-1")
    }

    private func refusal(_ token: String, at time: Date? = nil) -> JWTError.Kind? {
        do {
            _ = try signer.verify(token, now: time ?? now)
            return nil
        } catch {
            return error.kind
        }
    }

    private func forge(header: String, payload: String, key: [UInt8] = JWTTests.secret) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(HMAC.sha256(key: key, message: Array(input.utf8)))
    }

    @Test func aSignedTokenVerifies() throws {
        let token = signer.sign(claims())
        #expect(try signer.verify(token, now: now) == claims())
    }

    @Test func tamperedTokensAreRefused() {
        let token = signer.sign(claims())
        let parts = token.split(separator: ".").map(String.init)
        var signature = Array(parts[2])
        signature[0] = signature[0] == "A" ? "B" : "A"
        #expect(refusal(parts[0] + "." + parts[1] + "." + String(signature)) == .badSignature)
        let adminPayload = Base64URL.encode(Array(#"{"exp":1800000900,"iat":1800000000,"role":"admin","sub":"user-42"}"#.utf8))
        #expect(refusal(parts[0] + "." + adminPayload + "." + parts[2]) == .badSignature)
        #expect(refusal(JWTSigner(secret: Array("a-completely-different-32-byte-secret!".utf8)).sign(claims())) == .badSignature)
    }

    @Test func timeClaimsAreEnforcedWithLeeway() {
        let token = signer.sign(claims())
        #expect(refusal(token, at: now.addingTimeInterval(900 + 29)) == nil)
        #expect(refusal(token, at: now.addingTimeInterval(900 + 31)) == .expired)
        let later = signer.sign(claims(nbf: 1_800_000_600))
        #expect(refusal(later) == .notYetValid)
        #expect(refusal(later, at: now.addingTimeInterval(600)) == nil)
        #expect(refusal(signer.sign(claims(iat: 1_800_000_100, exp: 1_800_001_000))) == .notYetValid)
    }

    @Test func aLeewayWithAFractionOfASecondCountsTheFraction() {
        let signer = JWTSigner(secret: JWTTests.secret, leeway: .milliseconds(1500))
        let token = signer.sign(claims())
        #expect((try? signer.verify(token, now: now.addingTimeInterval(900 + 1.4))) != nil)
        #expect((try? signer.verify(token, now: now.addingTimeInterval(900 + 1.6))) == nil)
    }

    @Test func otherAlgorithmsAndNoneAreRefused() {
        let payload = #"{"exp":1800000900,"iat":1800000000,"role":"admin","sub":"user-42"}"#
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        #expect(refusal(none) == .unsupportedAlgorithm)
        #expect(refusal(forge(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: payload)) == .unsupportedAlgorithm)
        #expect(refusal(forge(header: #"{"alg":"RS256"}"#, payload: payload)) == .unsupportedAlgorithm)
        #expect(refusal(forge(header: #"{"typ":"JWT"}"#, payload: payload)) == .malformed)
        #expect(refusal(forge(header: #"{"alg":"HS256","crit":["exp"]}"#, payload: payload)) == .unsupportedAlgorithm)
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c", "..", "a..c", "e30.e30.e30.extra", "!!!.???.###"])
    func garbageIsMalformed(token: String) {
        #expect(refusal(token) == .malformed)
    }

    @Test func claimsOfTheWrongShapeAreRefused() {
        #expect(refusal(forge(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"user-42","role":"customer","iat":1800000000}"#)) == .invalidClaims)
        #expect(refusal(forge(header: #"{"alg":"HS256"}"#, payload: #"{"sub":42,"role":"customer","iat":1,"exp":2}"#)) == .invalidClaims)
        #expect(refusal(forge(header: #"{"alg":"HS256"}"#, payload: "not json")) == .invalidClaims)
    }
}
