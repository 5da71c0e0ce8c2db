/// Reads one response from the bytes a client received: a lenient, whole-buffer parser for a peer we trust more
/// than the server trusts its clients. Called again from the start of the response when more bytes arrive.
enum ResponseReader {
    /// The response at the start of `bytes` and how many bytes it took, or `nil` if more bytes are needed.
    /// - Parameters:
    ///   - requestMethod: The method of the request it answers: a response to `HEAD` has no body.
    ///   - endOfInput: Whether the peer closed: a body without framing ends there.
    static func read(
        _ bytes: ArraySlice<UInt8>,
        requestMethod: HTTPMethod,
        endOfInput: Bool
    ) throws(HTTPClientError) -> (response: HTTPClientResponse, consumed: Int)? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: bytes.startIndex) else {
            if bytes.count > 64 * 1024 { throw .invalidResponse("head over 64 KiB") }
            return nil
        }
        // The head is read as bytes, line by line: splitting it as a String would walk it by grapheme cluster.
        let head = bytes[bytes.startIndex..<headEnd]
        let statusEnd = find([13, 10], in: head, from: head.startIndex) ?? headEnd
        let (version, code, reason) = try statusLine(head[head.startIndex..<statusEnd])
        var headers = HTTPHeaders()
        var lineStart = statusEnd + 2
        while lineStart < headEnd {
            let lineEnd = find([13, 10], in: head, from: lineStart) ?? headEnd
            let line = head[lineStart..<lineEnd]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .invalidResponse("field line \(String(decoding: line, as: UTF8.self))")
            }
            headers.add(name: String(decoding: line[..<colon], as: UTF8.self), value: String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self))
            lineStart = lineEnd + 2
        }
        var response = HTTPClientResponse(version: version, status: HTTPStatus(code: code, reasonPhrase: reason), headers: headers)
        let bodyStart = headEnd + 4
        if requestMethod == .head || code < 200 || code == 204 || code == 304 {
            return (response, bodyStart - bytes.startIndex)
        }
        if let coding = headers.first(name: "Transfer-Encoding"), coding.lowercased().hasSuffix("chunked") {
            guard let end = try readChunked(bytes, from: bodyStart, into: &response) else { return nil }
            return (response, end - bytes.startIndex)
        }
        if let lengthText = headers.first(name: "Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { throw .invalidResponse("Content-Length \(lengthText)") }
            guard bytes.endIndex - bodyStart >= length else { return nil }
            response.body = Array(bytes[bodyStart..<bodyStart + length])
            return (response, bodyStart + length - bytes.startIndex)
        }
        guard endOfInput else { return nil }
        response.body = Array(bytes[bodyStart...])
        return (response, bytes.count)
    }

    /// `HTTP/1.1 200 OK`: the version, the code (three digits) and the reason phrase, which may be empty or missing.
    private static func statusLine(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> (HTTPVersion, Int, String) {
        let start = line.startIndex
        let codeStart = start + 9
        let digits = line.count >= 12 ? line[codeStart..<codeStart + 3] : []
        guard line.count >= 12, line.starts(with: "HTTP/".utf8), line[start + 6] == UInt8(ascii: "."), line[start + 8] == UInt8(ascii: " "),
            let major = digit(line[start + 5]), let minor = digit(line[start + 7]),
            digits.allSatisfy({ digit($0) != nil }), line.count == 12 || line[codeStart + 3] == UInt8(ascii: " ")
        else {
            throw .invalidResponse("status line \(String(decoding: line, as: UTF8.self))")
        }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard code >= 100 else { throw .invalidResponse("status line \(String(decoding: line, as: UTF8.self))") }
        let reason = line.count > 13 ? String(decoding: line[(codeStart + 4)...], as: UTF8.self) : ""
        return (HTTPVersion(major: major, minor: minor), code, reason)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// `bytes` without spaces and tabs at either end.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return [] }
        return bytes[first...last]
    }

    /// Finds the chunks first and copies them only once the body is complete, so a large body arriving in many
    /// reads is not copied again on every read.
    private static func readChunked(
        _ bytes: ArraySlice<UInt8>,
        from start: Int,
        into response: inout HTTPClientResponse
    ) throws(HTTPClientError) -> Int? {
        var index = start
        var chunks: [Range<Int>] = []
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: index) else { return nil }
            let line = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
            let sizeText = String(HTTPHeaders.trimmingWhitespace(line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]))
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .invalidResponse("chunk size \(line)") }
            index = lineEnd + 2
            if size == 0 { break }
            guard bytes.endIndex - index >= size + 2 else { return nil }
            chunks.append(index..<index + size)
            index += size + 2
        }
        var trailers = HTTPHeaders()
        while true {
            guard let trailerEnd = find([13, 10], in: bytes, from: index) else { return nil }
            if trailerEnd == index { break }
            let trailer = String(decoding: bytes[index..<trailerEnd], as: UTF8.self)
            if let colon = trailer.firstIndex(of: ":") {
                trailers.add(name: String(trailer[..<colon]), value: String(HTTPHeaders.trimmingWhitespace(trailer[trailer.index(after: colon)...])))
            }
            index = trailerEnd + 2
        }
        var body: [UInt8] = []
        body.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { body.append(contentsOf: bytes[chunk]) }
        response.body = body
        response.trailers = trailers
        return index + 2
    }

    /// The first occurrence of `pattern` (CRLF or CRLFCRLF) at or after `start`.
    private static func find(_ pattern: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard bytes.endIndex - start >= pattern.count else { return nil }
        var index = start
        let last = bytes.endIndex - pattern.count
        while index <= last {
            guard let candidate = bytes[index...last].firstIndex(of: pattern[0]) else { return nil }
            if bytes[candidate..<candidate + pattern.count].elementsEqual(pattern) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
