#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Scans over ranges of a byte buffer: the parser's only way of looking at bytes, so no `String` exists until a
/// field is complete and valid.
enum ByteScan {
    /// The index of the first `byte` in `range`, found with `memchr`.
    @inline(__always)
    static func first(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// The bytes of `range` decoded as UTF-8; invalid sequences (possible only in obs-text) become U+FFFD.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The index of the first byte of `range` that a field value may not contain (a control other than HTAB, or
    /// DEL), or `nil`.
    ///
    /// Eight bytes at a time: values such as `User-Agent` are long, and this check runs over every one of them.
    static func firstInvalidFieldValueByte(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // "Bit Twiddling Hacks": hasless(word, 0x20) and haszero(word ^ 0x7F7F…), exact about whether any byte
            // matches. HTAB also matches; the byte loop below sorts that out.
            let control = (word &- ones &* 0x20) & ~word & highBits
            let delete = word ^ (ones &* 0x7F)
            guard control | ((delete &- ones) & ~delete & highBits) == 0 else { break }
            index += 8
        }
        while index < range.upperBound {
            if !ASCII.isFieldValueByte(bytes[index]) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `range` starts with the ASCII `prefix`, case-sensitively.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        guard range.count >= prefix.utf8CodeUnitCount else { return false }
        return prefix.withUTF8Buffer { literal in
            for offset in 0..<literal.count where bytes[range.lowerBound + offset] != literal[offset] {
                return false
            }
            return true
        }
    }

    /// Whether `range` equals the lower-case ASCII `literal`, ignoring the case of the bytes.
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            for offset in 0..<expected.count where ASCII.lowercased(bytes[range.lowerBound + offset]) != expected[offset] {
                return false
            }
            return true
        }
    }

    /// Whether every byte of `range` is a token character.
    static func isToken(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for index in range where !ASCII.isTokenCharacter(bytes[index]) {
            return false
        }
        return true
    }

    /// `range` without leading and trailing SP and HTAB.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, ASCII.isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, ASCII.isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Calls `body` with each non-empty, trimmed element of a comma-separated list (RFC 9110 §5.6.1).
    static func forEachListElement(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        _ body: (Range<Int>) -> Void
    ) {
        var start = range.lowerBound
        while start <= range.upperBound {
            let end = first(ASCII.comma, in: bytes, start..<range.upperBound) ?? range.upperBound
            let element = trimmed(bytes, start..<end)
            if !element.isEmpty { body(element) }
            start = end + 1
        }
    }
}
