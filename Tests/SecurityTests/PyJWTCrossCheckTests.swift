import Foundation
import Security
import TestSupport
import Testing

/// Tokens we issue verify with PyJWT, and tokens PyJWT issues verify with ours: an outside implementation
/// agrees on the bytes. Needs python3 with PyJWT (`pip install pyjwt`); `.ci/run` installs it, and under CI a
/// missing PyJWT fails the test instead of skipping it.
@Suite struct PyJWTCrossCheckTests {
    static let secret = "an-hs256-secret-of-at-least-32-bytes!!"

    static var pyjwtAvailable: Bool {
        (try? python(["-c", "import jwt"]))?.status == 0
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try Subprocess.run("/usr/bin/env", ["python3"] + arguments)
        return (run.status, run.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func tokensCrossVerifyWithPyJWT() throws {
        guard Self.pyjwtAvailable else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("python3 with PyJWT is required in CI (pip install pyjwt)")
            }
            return
        }
        let signer = JWTSigner(secret: Array(Self.secret.utf8))
        let now = Int64(Date().timeIntervalSince1970)
        let ours = signer.sign(JWTClaims(sub: "user-7", role: "admin", iat: now, exp: now + 600))
        let decoded = try Self.python([
            "-c",
            "import jwt,sys,json; print(json.dumps(jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256']), sort_keys=True))",
            ours, Self.secret,
        ])
        #expect(decoded.status == 0)
        #expect(decoded.output.contains(#""role": "admin""#))
        #expect(decoded.output.contains(#""sub": "user-7""#))

        let theirs = try Self.python([
            "-c",
            "import jwt,sys,time; t=int(time.time()); print(jwt.encode({'sub':'user-8','role':'customer','iat':t,'exp':t+600}, sys.argv[1], algorithm='HS256'))",
            Self.secret,
        ])
        #expect(theirs.status == 0)
        let claims = try signer.verify(theirs.output)
        #expect(claims.sub == "user-8")
        #expect(claims.role == "customer")

        // And PyJWT refuses a token we signed with another key.
        let wrong = JWTSigner(secret: Array("another-secret-that-is-32-bytes-long!!".utf8)).sign(
            JWTClaims(sub: "x", role: "admin", iat: now, exp: now + 60)
        )
        let refused = try Self.python(["-c", "import jwt,sys; jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256'])", wrong, Self.secret])
        #expect(refused.status != 0)
    }
}
