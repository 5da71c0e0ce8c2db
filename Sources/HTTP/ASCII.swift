/// Byte classes of RFC 9110 / RFC 9112, as branch-light checks over `UInt8`.
///
/// Bit sets instead of lookup tables: a `static let` table costs a lazy-initialisation check on every access, two
/// 64-bit masks cost nothing.
enum ASCII {
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let horizontalTab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let slash: UInt8 = 0x2F
    static let asterisk: UInt8 = 0x2A
    static let hash: UInt8 = 0x23
    static let percent: UInt8 = 0x25
    static let period: UInt8 = 0x2E
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let zero: UInt8 = 0x30

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA,
    // bit n of `tokenLow` is byte n, bit n of `tokenHigh` is byte n + 64.
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    // unreserved / sub-delims of RFC 3986: the characters of a reg-name besides pct-encoded.
    private static let hostLow: UInt64 = 0x2BFF_7FD2_0000_0000
    private static let hostHigh: UInt64 = 0x47FF_FFFE_87FF_FFFE

    /// `tchar` of RFC 9110 §5.6.2: the characters of a method, a field name or a transfer coding.
    @inline(__always)
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        if byte < 64 { return (tokenLow >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (tokenHigh >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    /// Unreserved or sub-delims of RFC 3986: a reg-name character other than `%`.
    @inline(__always)
    static func isHostCharacter(_ byte: UInt8) -> Bool {
        if byte < 64 { return (hostLow >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (hostHigh >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    /// A field-value byte (RFC 9110 §5.5): VCHAR, obs-text, SP or HTAB — everything but the other controls and DEL.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte != 0x7F) || byte == horizontalTab
    }

    /// A byte allowed in a request-target: VCHAR except `#`, which starts a fragment that never goes on the wire.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != hash
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == horizontalTab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- zero < 10
    }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26
    }

    /// The value of a hexadecimal digit, or `nil`.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        if byte &- zero < 10 { return Int(byte &- zero) }
        let lower = byte | 0x20
        if lower &- 0x61 < 6 { return Int(lower &- 0x61 &+ 10) }
        return nil
    }

    /// ASCII lower-casing; other bytes unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }
}
