/// The server's response head: ``HTTPResponseSerializer``'s rules plus the cached `Date` field and the
/// `Connection` field the server decides, written straight into the connection's output buffer.
enum ResponseHeadWriter {
    /// The `Connection` field a response carries.
    enum ConnectionField {
        /// None: HTTP/1.1 keeps the connection open by default.
        case none
        /// `Connection: close`: the server closes after this response.
        case close
        /// `Connection: keep-alive`: an HTTP/1.0 client asked for a persistent connection.
        case keepAlive
    }

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let okStatusLine = Array("HTTP/1.1 200 OK\r\n".utf8)
    private static let statusLinePrefix = Array("HTTP/1.1 ".utf8)
    private static let closeField = Array("Connection: close\r\n".utf8)
    private static let keepAliveField = Array("Connection: keep-alive\r\n".utf8)
    private static let contentLengthName = Array("Content-Length: ".utf8)
    private static let chunkedField = Array("Transfer-Encoding: chunked\r\n".utf8)

    /// Appends the status line, the fields (a handler's `Date` wins over the cached one; its `Connection` and
    /// framing fields are dropped), `Connection`, framing and the empty line.
    static func write(
        status: HTTPStatus,
        headers: HTTPHeaders,
        framing: HTTPBodyFraming,
        connection: ConnectionField,
        dateField: [UInt8],
        into buffer: inout [UInt8]
    ) {
        if status.code == 200 && status.reasonPhrase == "OK" {
            buffer.append(contentsOf: okStatusLine)
        } else {
            buffer.append(contentsOf: statusLinePrefix)
            HTTPResponseSerializer.appendDecimal(status.code, to: &buffer)
            buffer.append(ASCII.space)
            HTTPResponseSerializer.appendFieldText(status.reasonPhrase, to: &buffer)
            appendCRLF(to: &buffer)
        }
        var hasDate = false
        for (name, value) in headers where HTTPResponseSerializer.isWritableName(name) {
            if HTTPHeaders.namesEqual(name, "Connection") { continue }
            if !hasDate && HTTPHeaders.namesEqual(name, "Date") { hasDate = true }
            buffer.append(contentsOf: name.utf8)
            buffer.append(ASCII.colon)
            buffer.append(ASCII.space)
            HTTPResponseSerializer.appendFieldText(value, to: &buffer)
            appendCRLF(to: &buffer)
        }
        if !hasDate { buffer.append(contentsOf: dateField) }
        switch connection {
        case .none: break
        case .close: buffer.append(contentsOf: closeField)
        case .keepAlive: buffer.append(contentsOf: keepAliveField)
        }
        switch framing {
        case .noBody:
            break
        case .contentLength(let length):
            buffer.append(contentsOf: contentLengthName)
            HTTPResponseSerializer.appendDecimal(length, to: &buffer)
            appendCRLF(to: &buffer)
        case .chunked:
            buffer.append(contentsOf: chunkedField)
        }
        appendCRLF(to: &buffer)
    }

    private static func appendCRLF(to buffer: inout [UInt8]) {
        buffer.append(ASCII.carriageReturn)
        buffer.append(ASCII.lineFeed)
    }
}
