/// The request line and header fields of the request being parsed, and the framing facts gathered from them.
///
/// Fields that decide framing are recognised from their bytes before any `String` is made; the head is checked as
/// a whole (RFC 9112 §6.3) once the empty line ends the header section.
struct RequestHeadBuilder {
    private var method = HTTPMethod.get
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders(minimumCapacity: 16)
    private var contentLength: Int?
    private var hostCount = 0
    private var hasTransferEncoding = false
    private var codingCount = 0
    private var chunkedCount = 0
    private var lastCodingIsChunked = false
    private var hasUnsupportedCoding = false
    private var hasMalformedCoding = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectsContinue = false

    // MARK: - Request line

    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3), the line without its CRLF.
    mutating func parseRequestLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParserError) {
        if ByteScan.first(ASCII.carriageReturn, in: bytes, line) != nil { throw .bareCarriageReturn }
        guard let methodEnd = ByteScan.first(ASCII.space, in: bytes, line), methodEnd > line.lowerBound,
            let targetEnd = ByteScan.first(ASCII.space, in: bytes, methodEnd + 1..<line.upperBound),
            targetEnd > methodEnd + 1
        else { throw .invalidRequestLine }

        let methodRange = line.lowerBound..<methodEnd
        for index in methodRange where !ASCII.isTokenCharacter(bytes[index]) { throw .invalidMethod }
        method = HTTPMethod(rawValue: ByteScan.string(bytes, methodRange))

        version = try Self.parseVersion(bytes, targetEnd + 1..<line.upperBound)

        let targetRange = methodEnd + 1..<targetEnd
        try validateTarget(bytes, targetRange)
        target = ByteScan.string(bytes, targetRange)
    }

    /// `HTTP/DIGIT.DIGIT`, case-sensitive. Any 1.x is read as 1.1 (RFC 9110 §2.5); other majors answer 505.
    private static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(HTTPParserError) -> HTTPVersion {
        guard range.count == 8, ByteScan.hasPrefix(bytes, range, "HTTP/"), ASCII.isDigit(bytes[range.lowerBound + 5]),
            bytes[range.lowerBound + 6] == ASCII.period, ASCII.isDigit(bytes[range.lowerBound + 7])
        else { throw .invalidVersion }
        let major = bytes[range.lowerBound + 5] - ASCII.zero
        let minor = bytes[range.lowerBound + 7] - ASCII.zero
        guard major == 1 else { throw .unsupportedVersion }
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// The four forms of RFC 9112 §3.2, each only where its method allows it.
    private func validateTarget(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(HTTPParserError) {
        let first = bytes[range.lowerBound]
        if method == .connect {
            // authority-form, and nothing else, for CONNECT.
            guard Self.isValidAuthority(bytes, range, requiresPort: true) else { throw .invalidRequestTarget }
            return
        }
        if first == ASCII.asterisk && range.count == 1 {
            guard method == .options else { throw .invalidRequestTarget }
            return
        }
        var index = range.lowerBound
        if first != ASCII.slash {
            // absolute-form: scheme "://" ... — requiring "//" keeps a bare `host:port` (authority-form) out.
            guard ASCII.isAlpha(first) else { throw .invalidRequestTarget }
            index += 1
            while index < range.upperBound, ASCII.isAlpha(bytes[index]) || ASCII.isDigit(bytes[index]) || Self.isSchemeSymbol(bytes[index]) {
                index += 1
            }
            guard ByteScan.hasPrefix(bytes, index..<range.upperBound, "://") else { throw .invalidRequestTarget }
            index += 3
        }
        while index < range.upperBound {
            guard ASCII.isTargetByte(bytes[index]) else { throw .invalidRequestTarget }
            index += 1
        }
    }

    private static func isSchemeSymbol(_ byte: UInt8) -> Bool {
        byte == 0x2B || byte == 0x2D || byte == ASCII.period
    }

    // MARK: - Header fields

    /// Records one header field; the value range already excludes surrounding whitespace.
    mutating func addField(_ bytes: UnsafeBufferPointer<UInt8>, name: Range<Int>, value: Range<Int>) throws(HTTPParserError) {
        switch name.count {
        case 4 where ByteScan.equalsLowercase(bytes, name, "host"):
            hostCount += 1
            guard hostCount == 1 else { throw .duplicateHost }
            guard Self.isValidAuthority(bytes, value, requiresPort: false) else { throw .invalidHost }
        case 6 where ByteScan.equalsLowercase(bytes, name, "expect"):
            if ByteScan.equalsLowercase(bytes, value, "100-continue") { expectsContinue = true }
        case 10 where ByteScan.equalsLowercase(bytes, name, "connection"):
            recordConnectionOptions(bytes, value)
        case 14 where ByteScan.equalsLowercase(bytes, name, "content-length"):
            try recordContentLength(bytes, value)
        case 17 where ByteScan.equalsLowercase(bytes, name, "transfer-encoding"):
            recordTransferCodings(bytes, value)
        default:
            break
        }
        headers.add(name: ByteScan.string(bytes, name), value: ByteScan.string(bytes, value))
    }

    /// `1*DIGIT` only: no sign, no list, no second field, even with the same value (the strict choice RFC 9110 §8.6
    /// allows, and what nginx does).
    private mutating func recordContentLength(_ bytes: UnsafeBufferPointer<UInt8>, _ value: Range<Int>) throws(HTTPParserError) {
        guard contentLength == nil else { throw .duplicateContentLength }
        guard !value.isEmpty else { throw .invalidContentLength }
        var length = 0
        for index in value {
            let byte = bytes[index]
            guard ASCII.isDigit(byte) else { throw .invalidContentLength }
            let (shifted, overflow) = length.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int(byte - ASCII.zero))
            guard !overflow, !carry else { throw .invalidContentLength }
            length = sum
        }
        contentLength = length
    }

    /// Accumulates the coding list across every `Transfer-Encoding` field; verdicts wait for the whole head.
    private mutating func recordTransferCodings(_ bytes: UnsafeBufferPointer<UInt8>, _ value: Range<Int>) {
        hasTransferEncoding = true
        ByteScan.forEachListElement(bytes, value) { element in
            let parameters = ByteScan.first(ASCII.semicolon, in: bytes, element)
            let name = ByteScan.trimmed(bytes, element.lowerBound..<(parameters ?? element.upperBound))
            guard !name.isEmpty, ByteScan.isToken(bytes, name) else {
                hasMalformedCoding = true
                return
            }
            codingCount += 1
            lastCodingIsChunked = ByteScan.equalsLowercase(bytes, name, "chunked")
            if lastCodingIsChunked {
                chunkedCount += 1
                // chunked takes no parameters (RFC 9112 §7.1).
                if parameters != nil { hasMalformedCoding = true }
            } else {
                hasUnsupportedCoding = true
            }
        }
    }

    private mutating func recordConnectionOptions(_ bytes: UnsafeBufferPointer<UInt8>, _ value: Range<Int>) {
        ByteScan.forEachListElement(bytes, value) { option in
            if ByteScan.equalsLowercase(bytes, option, "close") {
                connectionClose = true
            } else if ByteScan.equalsLowercase(bytes, option, "keep-alive") {
                connectionKeepAlive = true
            }
        }
    }

    /// `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2): reg-name or IPv4 with pct-encoding, or an IP literal
    /// in brackets; port up to 65535. An empty Host is valid (a target without authority); an authority-form target
    /// needs a port.
    static func isValidAuthority(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, requiresPort: Bool) -> Bool {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { return !requiresPort }
        if bytes[index] == ASCII.openBracket {
            index += 1
            let literalStart = index
            while index < end, bytes[index] != ASCII.closeBracket {
                guard ASCII.isHostCharacter(bytes[index]) || bytes[index] == ASCII.colon else { return false }
                index += 1
            }
            guard index < end, index > literalStart else { return false }
            index += 1
        } else {
            let nameStart = index
            while index < end, bytes[index] != ASCII.colon {
                if bytes[index] == ASCII.percent {
                    guard index + 2 < end, ASCII.hexValue(bytes[index + 1]) != nil, ASCII.hexValue(bytes[index + 2]) != nil else {
                        return false
                    }
                    index += 3
                    continue
                }
                guard ASCII.isHostCharacter(bytes[index]) else { return false }
                index += 1
            }
            guard index > nameStart else { return false }
        }
        if index == end { return !requiresPort }
        guard bytes[index] == ASCII.colon else { return false }
        index += 1
        let digits = end - index
        guard digits <= 5, !(requiresPort && digits == 0) else { return false }
        var port = 0
        while index < end {
            guard ASCII.isDigit(bytes[index]) else { return false }
            port = port * 10 + Int(bytes[index] - ASCII.zero)
            index += 1
        }
        return port <= 65_535
    }

    // MARK: - Head

    /// Applies the message framing rules of RFC 9112 §6 to the complete header section and returns the head.
    ///
    /// Checks run from framing to semantics to size, so a request that is both malformed and too large is answered
    /// 400, and an oversized body is refused before any of it is read.
    mutating func makeHead(limits: HTTPParserLimits) throws(HTTPParserError) -> HTTPRequestHead {
        var framing = HTTPBodyFraming.noBody
        if hasTransferEncoding {
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            if hasMalformedCoding || codingCount == 0 { throw .invalidTransferEncoding }
            if chunkedCount > 1 || (chunkedCount == 1 && !lastCodingIsChunked) { throw .chunkedNotFinal }
            if hasUnsupportedCoding { throw .unsupportedTransferEncoding }
            framing = .chunked
        } else if let contentLength {
            framing = .contentLength(contentLength)
        }
        if version == .http1_1 && hostCount == 0 { throw .missingHost }
        if case .contentLength(let length) = framing, length > limits.maxBodySize { throw .contentTooLarge }

        let isHTTP11 = version == .http1_1
        return HTTPRequestHead(
            method: method,
            target: target,
            version: version,
            headers: headers,
            framing: framing,
            keepAlive: isHTTP11 ? !connectionClose : connectionKeepAlive && !connectionClose,
            // An HTTP/1.0 client cannot know 100 Continue (RFC 9110 §10.1.1).
            expectsContinue: isHTTP11 && expectsContinue
        )
    }
}
