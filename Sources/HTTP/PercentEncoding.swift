/// Percent-encoding of URI components (RFC 3986 §2.1): the one place that reads `%XX` escapes.
public enum PercentEncoding {
    /// The decoded text of `component`. Malformed escapes stay as written and invalid UTF-8 is repaired with
    /// U+FFFD, so decoding never fails; with `plusIsSpace` (query strings in the form encoding) `+` becomes a space.
    public static func decode(_ component: Substring, plusIsSpace: Bool = false) -> String {
        let utf8 = component.utf8
        guard utf8.contains(where: { $0 == ASCII.percent || (plusIsSpace && $0 == 0x2B) }) else { return String(component) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == ASCII.percent,
                let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), first != utf8.endIndex,
                let second = utf8.index(first, offsetBy: 1, limitedBy: utf8.endIndex), second != utf8.endIndex,
                let high = ASCII.hexValue(utf8[first]), let low = ASCII.hexValue(utf8[second])
            {
                bytes.append(UInt8(high << 4 | low))
                index = utf8.index(after: second)
                continue
            }
            bytes.append(plusIsSpace && byte == 0x2B ? ASCII.space : byte)
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The decoded text of `component`, or `nil` when an escape is malformed or the bytes are not UTF-8: for
    /// places where a doubtful name must be refused rather than repaired, such as file paths.
    public static func decodeStrictly(_ component: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = component.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == ASCII.percent {
                guard let high = iterator.next().flatMap(ASCII.hexValue), let low = iterator.next().flatMap(ASCII.hexValue) else {
                    return nil
                }
                bytes.append(UInt8(high << 4 | low))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `component` in the normal form of RFC 3986 §6.2.2: escapes of unreserved characters decoded, other escapes
    /// with upper-case hex digits, so equivalent spellings compare equal.
    public static func normalize(_ component: Substring) -> String {
        guard component.utf8.contains(ASCII.percent) else { return String(component) }
        let bytes = Array(component.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == ASCII.percent, index + 2 < bytes.count,
                let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2])
            {
                let decoded = UInt8(high << 4 | low)
                if isUnreserved(decoded) {
                    output.append(decoded)
                } else {
                    output.append(contentsOf: [ASCII.percent, upperHexDigit(high), upperHexDigit(low)])
                }
                index += 3
            } else {
                output.append(bytes[index])
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

    private static func upperHexDigit(_ value: Int) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + UInt8(value) : UInt8(ascii: "A") + UInt8(value - 10)
    }
}
