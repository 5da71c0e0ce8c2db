import HTTP

/// Parsing of the `Authorization: Bearer <token>` field (RFC 6750 section 2.1).
enum BearerToken {
    /// The token of a `Bearer` credential, `nil` when the field is absent, of another scheme, or malformed.
    static func parse(_ field: String?) -> String? {
        guard let field else { return nil }
        let parts = field.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(HTTPHeaders.trimmingWhitespace(parts[1]))
        // token68: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
        guard !token.isEmpty,
            token.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || "-._~+/=".utf8.contains(byte)
            })
        else { return nil }
        return token
    }
}
