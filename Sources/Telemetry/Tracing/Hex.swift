/// Lowercase hexadecimal, as W3C Trace Context requires: uppercase digits are invalid on the wire.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Appends `value` as `count` lowercase hex digits, most significant first.
    static func append(_ value: UInt64, digits count: Int, to bytes: inout [UInt8]) {
        var shift = (count - 1) * 4
        while shift >= 0 {
            bytes.append(Self.digits[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    static func string(_ value: UInt64, digits count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        Self.append(value, digits: count, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses 1–16 lowercase hex digits; `nil` for any other byte, uppercase included.
    static func parse(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
