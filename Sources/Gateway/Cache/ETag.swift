import HTTP

/// Strong entity tags from a 64-bit FNV-1a hash of the content (not collision-resistant against attackers,
/// which an entity tag does not need to be).
public enum ETag {
    /// `"<16 hex digits>"`, quoted as the `ETag` field wants it.
    /// - Parameter bytes: The representation's bytes.
    public static func strong(for bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-None-Match` field matches `etag`: `*`, or one of its tags compared weakly (RFC 9110
    /// section 13.1.2), so `W/"x"` matches `"x"`.
    /// - Parameters:
    ///   - ifNoneMatch: The field's values.
    ///   - etag: The current strong tag, quoted.
    public static func matches(ifNoneMatch: [String], etag: String) -> Bool {
        for value in ifNoneMatch {
            for item in value.split(separator: ",") {
                var tag = HTTPHeaders.trimmingWhitespace(item)
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
                if tag == etag[...] { return true }
            }
        }
        return false
    }
}
