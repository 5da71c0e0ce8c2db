public import Foundation

/// The claims Emporium's access tokens carry.
public struct JWTClaims: Codable, Sendable, Hashable {
    /// The subject: the user id.
    public var sub: String
    /// The role: `customer` or `admin`.
    public var role: String
    /// Issued at, seconds since 1970.
    public var iat: Int64
    /// Expires at, seconds since 1970.
    public var exp: Int64
    /// Not valid before, seconds since 1970.
    public var nbf: Int64?
    /// A unique token id.
    public var jti: String?

    /// Creates claims.
    public init(sub: String, role: String, iat: Int64, exp: Int64, nbf: Int64? = nil, jti: String? = nil) {
        self.sub = sub
        self.role = role
        self.iat = iat
        self.exp = exp
        self.nbf = nbf
        self.jti = jti
    }
}

/// Why a token was refused. The message never contains the token.
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Kind: String, Sendable, Hashable {
        /// Not three base64url segments of JSON.
        case malformed
        /// The header names an algorithm other than HS256 (including `none`).
        case unsupportedAlgorithm = "unsupported-algorithm"
        /// The signature does not match.
        case badSignature = "bad-signature"
        /// Past `exp`.
        case expired
        /// Before `nbf`, or issued in the future.
        case notYetValid = "not-yet-valid"
        /// Required claims missing or of the wrong type.
        case invalidClaims = "invalid-claims"
    }

    /// What was wrong.
    public let kind: Kind
    /// A sentence for logs.
    public let message: String

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Issues and verifies JSON Web Tokens signed with HMAC-SHA256 (RFC 7519, RFC 7515), and nothing else.
///
/// Verification refuses `alg: none` and every algorithm but HS256 before looking further, compares signatures in
/// constant time, requires `exp`, and checks `exp`, `nbf` and `iat` with a small leeway for clock skew.
public struct JWTSigner: Sendable {
    private let secret: [UInt8]
    /// Tolerated clock skew.
    public let leeway: Duration

    /// Creates a signer.
    /// - Precondition: the secret has at least 32 bytes (RFC 7518 §3.2: at least the hash's size).
    public init(secret: [UInt8], leeway: Duration = .seconds(30)) {
        precondition(secret.count >= 32, "an HS256 secret needs at least 32 bytes")
        self.secret = secret
        self.leeway = leeway
    }

    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A signed token for `claims`.
    public func sign(_ claims: JWTClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these fixed, finite fields cannot fail.
        let payload = Base64URL.encode(try! encoder.encode(claims))
        let signingInput = Self.header + "." + payload
        return signingInput + "." + Base64URL.encode(HMAC.sha256(key: secret, message: Array(signingInput.utf8)))
    }

    /// The claims of a valid token.
    /// - Throws: ``JWTError`` naming why the token is refused.
    public func verify(_ token: String, now: Date = Date()) throws(JWTError) -> JWTClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw JWTError(kind: .malformed, message: "a token has three dot-separated parts")
        }
        guard let headerBytes = Base64URL.decode(parts[0]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any]
        else {
            throw JWTError(kind: .malformed, message: "the header is not base64url JSON")
        }
        guard let algorithm = header["alg"] as? String else {
            throw JWTError(kind: .malformed, message: "the header has no alg")
        }
        guard algorithm == "HS256" else {
            throw JWTError(kind: .unsupportedAlgorithm, message: "alg \(algorithm) is not accepted; only HS256 is")
        }
        if header["crit"] != nil {
            throw JWTError(kind: .unsupportedAlgorithm, message: "critical header extensions are not supported")
        }
        guard let signature = Base64URL.decode(parts[2]) else {
            throw JWTError(kind: .malformed, message: "the signature is not base64url")
        }
        let expected = HMAC.sha256(key: secret, message: Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8))
        guard ConstantTime.equal(signature, expected) else {
            throw JWTError(kind: .badSignature, message: "the signature does not match")
        }
        guard let payload = Base64URL.decode(parts[1]) else {
            throw JWTError(kind: .malformed, message: "the payload is not base64url")
        }
        let claims: JWTClaims
        do {
            claims = try JSONDecoder().decode(JWTClaims.self, from: Data(payload))
        } catch {
            throw JWTError(kind: .invalidClaims, message: "the claims need sub, role, iat and exp of the right types")
        }
        let current = now.timeIntervalSince1970
        let skew = leeway / .seconds(1)
        if current > Double(claims.exp) + skew {
            throw JWTError(kind: .expired, message: "the token expired")
        }
        if let notBefore = claims.nbf, current + skew < Double(notBefore) {
            throw JWTError(kind: .notYetValid, message: "the token is not valid yet")
        }
        if current + skew < Double(claims.iat) {
            throw JWTError(kind: .notYetValid, message: "the token was issued in the future")
        }
        return claims
    }
}
