/// Normalization of request paths and queries for cache keys and invalidation (RFC 3986 section 6.2.2):
/// percent-encoded unreserved characters are decoded, other escapes get upper-case hex digits, and empty path
/// segments are dropped the way the router ignores them, so `/items/%6Camp/` and `/items/lamp` share an entry
/// and one invalidation removes both.
enum URINormalization {
    /// `/` followed by the non-empty segments, each normalized.
    static func path(_ raw: some StringProtocol) -> String {
        let segments = raw.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + segments.map { component($0) }.joined(separator: "/")
    }

    /// The non-empty `&`-separated parameters, each normalized, sorted; empty when there are none.
    static func query(_ raw: some StringProtocol) -> String {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { component($0) }.sorted().joined(separator: "&")
    }

    /// One segment or parameter with its escapes normalized.
    static func component(_ raw: some StringProtocol) -> String {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return String(raw) }
        let bytes = Array(raw.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    output.append(decoded)
                } else {
                    output.append(contentsOf: [UInt8(ascii: "%"), hexDigit(high), hexDigit(low)])
                }
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}
