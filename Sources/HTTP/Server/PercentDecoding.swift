/// Percent-decoding of URI components (RFC 3986 §2.1). Malformed escapes stay as written and invalid UTF-8 is
/// repaired with U+FFFD, so decoding never fails.
enum PercentDecoding {
    /// The decoded text of `component`; with `plusIsSpace` (query strings in the form encoding) `+` becomes a space.
    static func decode(_ component: Substring, plusIsSpace: Bool) -> String {
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
}
