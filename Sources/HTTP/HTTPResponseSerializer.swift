/// Writes responses as HTTP/1.1 bytes: status line, header fields, framing and chunks, appended to a byte buffer.
///
/// Framing comes only from the `framing` argument: `Content-Length` and `Transfer-Encoding` fields in the head are
/// skipped, so a response can never announce two lengths. Fields are written so they cannot split the response: a
/// field whose name is not a token is dropped, and control characters other than HTAB in a value or the reason
/// phrase are written as SP.
///
/// ```swift
/// var out: [UInt8] = []
/// HTTPResponseSerializer.writeResponse(HTTPResponseHead(status: .ok), body: Array("hi".utf8), into: &out)
/// // "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
///
/// HTTPResponseSerializer.writeHead(head, framing: .chunked, into: &out)
/// HTTPResponseSerializer.writeChunk(part, into: &out)
/// HTTPResponseSerializer.writeFinalChunk(into: &out)
/// ```
public enum HTTPResponseSerializer {
    /// Appends the status line, the header fields and the framing field, then the empty line.
    ///
    /// For a response to `HEAD`, pass the framing the `GET` response would have and write no body. For 1xx, 204
    /// and 304 responses, pass `.noBody`.
    /// - Parameters:
    ///   - head: The status, version and fields.
    ///   - framing: How the body that follows is framed: `Content-Length: n`, `Transfer-Encoding: chunked`, or no
    ///     framing field.
    ///   - buffer: The buffer to append to.
    public static func writeHead(_ head: HTTPResponseHead, framing: HTTPBodyFraming, into buffer: inout [UInt8]) {
        appendASCII("HTTP/", to: &buffer)
        appendDecimal(head.version.major, to: &buffer)
        buffer.append(ASCII.period)
        appendDecimal(head.version.minor, to: &buffer)
        buffer.append(ASCII.space)
        appendDecimal(head.status.code, to: &buffer)
        buffer.append(ASCII.space)
        appendFieldText(head.status.reasonPhrase, to: &buffer)
        appendCRLF(to: &buffer)

        for (name, value) in head.headers where isWritableName(name) {
            buffer.append(contentsOf: name.utf8)
            buffer.append(ASCII.colon)
            buffer.append(ASCII.space)
            appendFieldText(value, to: &buffer)
            appendCRLF(to: &buffer)
        }

        switch framing {
        case .noBody:
            break
        case .contentLength(let length):
            appendASCII("Content-Length: ", to: &buffer)
            appendDecimal(length, to: &buffer)
            appendCRLF(to: &buffer)
        case .chunked:
            appendASCII("Transfer-Encoding: chunked\r\n", to: &buffer)
        }
        appendCRLF(to: &buffer)
    }

    /// Appends a complete response with a `Content-Length` body.
    /// - Parameters:
    ///   - head: The status, version and fields.
    ///   - body: The content; its count becomes `Content-Length`.
    ///   - buffer: The buffer to append to.
    public static func writeResponse(_ head: HTTPResponseHead, body: some Collection<UInt8>, into buffer: inout [UInt8]) {
        writeHead(head, framing: .contentLength(body.count), into: &buffer)
        buffer.append(contentsOf: body)
    }

    /// Appends one chunk of a chunked body: size in hexadecimal, CRLF, the data, CRLF.
    ///
    /// Empty data writes nothing, since a zero-size chunk would end the body; end it with ``writeFinalChunk(trailers:into:)``.
    /// - Parameters:
    ///   - data: The chunk's content.
    ///   - buffer: The buffer to append to.
    public static func writeChunk(_ data: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let count = data.count
        guard count > 0 else { return }
        appendHexadecimal(count, to: &buffer)
        appendCRLF(to: &buffer)
        buffer.append(contentsOf: data)
        appendCRLF(to: &buffer)
    }

    /// Appends the last chunk that ends a chunked body, with optional trailer fields.
    /// - Parameters:
    ///   - trailers: Trailer fields, written like header fields; framing fields are skipped.
    ///   - buffer: The buffer to append to.
    public static func writeFinalChunk(trailers: HTTPHeaders = [:], into buffer: inout [UInt8]) {
        buffer.append(ASCII.zero)
        appendCRLF(to: &buffer)
        for (name, value) in trailers where isWritableName(name) {
            buffer.append(contentsOf: name.utf8)
            buffer.append(ASCII.colon)
            buffer.append(ASCII.space)
            appendFieldText(value, to: &buffer)
            appendCRLF(to: &buffer)
        }
        appendCRLF(to: &buffer)
    }

    // MARK: - Bytes

    /// A token that is not one of the framing fields this serializer owns.
    static func isWritableName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy(ASCII.isTokenCharacter) else { return false }
        return !HTTPHeaders.namesEqual(name, "Content-Length") && !HTTPHeaders.namesEqual(name, "Transfer-Encoding")
    }

    /// Appends a field value or reason phrase, writing any control character but HTAB as SP.
    static func appendFieldText(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Contiguous bytes: the common clean value is one scan and one copy.
            if bytes.allSatisfy(ASCII.isFieldValueByte) {
                buffer.append(contentsOf: bytes)
            } else {
                for byte in bytes {
                    buffer.append(ASCII.isFieldValueByte(byte) ? byte : ASCII.space)
                }
            }
        }
    }

    private static func appendASCII(_ text: StaticString, to buffer: inout [UInt8]) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    private static func appendCRLF(to buffer: inout [UInt8]) {
        buffer.append(ASCII.carriageReturn)
        buffer.append(ASCII.lineFeed)
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        precondition(value >= 0, "lengths and status codes are not negative")
        appendDigits(of: value, radix: 10, to: &buffer)
    }

    private static func appendHexadecimal(_ value: Int, to buffer: inout [UInt8]) {
        appendDigits(of: value, radix: 16, to: &buffer)
    }

    /// Writes the digits least significant first, then reverses them in place: no intermediate `String`.
    private static func appendDigits(of value: Int, radix: Int, to buffer: inout [UInt8]) {
        let start = buffer.count
        var remaining = value
        repeat {
            let digit = UInt8(remaining % radix)
            buffer.append(digit < 10 ? ASCII.zero + digit : 0x61 + digit - 10)
            remaining /= radix
        } while remaining > 0
        buffer[start...].reverse()
    }
}
