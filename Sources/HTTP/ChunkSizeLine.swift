/// `chunk-size [ chunk-ext ]` of RFC 9112 §7.1, the line without its CRLF.
///
/// Strict on purpose: disagreement between servers about chunk lines ("funky chunks": a lone LF, whitespace after
/// the size, a `0x` prefix) is a known request-smuggling vector, so anything outside the grammar is rejected.
enum ChunkSizeLine {
    /// The chunk size; extensions are validated and ignored.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParserError) -> Int {
        if ByteScan.first(ASCII.carriageReturn, in: bytes, line) != nil { throw .bareCarriageReturn }
        var index = line.lowerBound
        var size = 0
        while index < line.upperBound, let digit = ASCII.hexValue(bytes[index]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { throw .invalidChunkSize }
            size = shifted | digit
            index += 1
        }
        guard index > line.lowerBound else { throw .invalidChunkSize }
        if index < line.upperBound {
            // Only BWS ";" may follow the size.
            let extensionStart = skipWhitespace(bytes, index, line.upperBound)
            guard extensionStart < line.upperBound, bytes[extensionStart] == ASCII.semicolon else { throw .invalidChunkSize }
            try validateExtensions(bytes, index..<line.upperBound)
        }
        return size
    }

    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`, ext-val a token or quoted-string.
    private static func validateExtensions(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(HTTPParserError) {
        let end = range.upperBound
        var index = range.lowerBound
        while index < end {
            index = skipWhitespace(bytes, index, end)
            guard index < end, bytes[index] == ASCII.semicolon else { throw .invalidChunkExtension }
            index = skipWhitespace(bytes, index + 1, end)
            let nameStart = index
            while index < end, ASCII.isTokenCharacter(bytes[index]) { index += 1 }
            guard index > nameStart else { throw .invalidChunkExtension }
            let afterName = skipWhitespace(bytes, index, end)
            guard afterName < end, bytes[afterName] == ASCII.equals else { continue }
            index = skipWhitespace(bytes, afterName + 1, end)
            guard index < end else { throw .invalidChunkExtension }
            if bytes[index] == ASCII.quote {
                index = try endOfQuotedString(bytes, index + 1, end)
            } else {
                let valueStart = index
                while index < end, ASCII.isTokenCharacter(bytes[index]) { index += 1 }
                guard index > valueStart else { throw .invalidChunkExtension }
            }
        }
    }

    /// The index after the closing quote of a quoted-string whose content starts at `start` (RFC 9110 §5.6.4).
    private static func endOfQuotedString(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParserError) -> Int {
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == ASCII.quote { return index + 1 }
            if byte == ASCII.backslash {
                guard index + 1 < end, ASCII.isFieldValueByte(bytes[index + 1]) else { throw .invalidChunkExtension }
                index += 2
                continue
            }
            // qdtext: HTAB, SP, VCHAR except DQUOTE and backslash, obs-text.
            guard ASCII.isFieldValueByte(byte) else { throw .invalidChunkExtension }
            index += 1
        }
        throw .invalidChunkExtension
    }

    private static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index
    }
}
