/// One keep-alive connection to an HTTP/1.1 server: requests and responses in turn, or raw bytes and responses read
/// one by one for pipelining and malformed-request tests.
///
/// Every operation runs on the client's event loop and ends by its timeout. Use a connection from one task at a
/// time.
///
/// ```swift
/// let client = try HTTPClient()
/// let connection = try await client.connect(port: port)
/// let response = try await connection.send(.post, "/echo", body: Array("hi".utf8))
/// try await connection.write(Array("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
/// let first = try await connection.readResponse()
/// let second = try await connection.readResponse()
/// ```
public final class HTTPClientConnection: Sendable {
    private let socket: ClientSocket
    private let loop: EventLoop
    /// The `Host` field sent with ``send(_:_:headers:body:timeout:)``.
    public let hostField: String

    init(socket: ClientSocket, loop: EventLoop, hostField: String) {
        self.socket = socket
        self.loop = loop
        self.hostField = hostField
    }

    /// Sends a request and reads its response, skipping `1xx` interim responses.
    ///
    /// `Host` is added unless `headers` has one; `Content-Length` is added for a body, or for an empty body of
    /// `POST`, `PUT` and `PATCH`.
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request-target, for example `/api/v1/products?page=2`.
    ///   - headers: Extra header fields.
    ///   - body: The body.
    ///   - timeout: The longest the whole exchange may take.
    /// - Throws: ``HTTPClientError``.
    public func send(
        _ method: HTTPMethod,
        _ target: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPClientResponse {
        var head = HTTPRequestHead(method: method, target: target, headers: headers)
        if !headers.contains(name: "Host") { head.headers.add(name: "Host", value: hostField) }
        var bytes: [UInt8] = []
        HTTPRequestSerialization.write(head, body: body, into: &bytes)
        try await write(bytes, timeout: timeout)
        return try await readResponse(to: method, timeout: timeout)
    }

    /// Sends bytes exactly as given.
    /// - Parameters:
    ///   - bytes: The bytes, any number of requests or parts of one.
    ///   - timeout: The longest the socket may refuse to take them.
    /// - Throws: ``HTTPClientError/connectionClosed`` or ``HTTPClientError/timedOut``.
    public func write(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws {
        try await withTaskExecutorPreference(loop) {
            try await self.writeOnLoop(bytes, timeout: timeout)
        }
    }

    /// Reads the next response.
    /// - Parameters:
    ///   - method: The method of the request it answers; a response to `HEAD` has no body.
    ///   - skipInformational: Whether `1xx` responses are skipped (`true`) or returned.
    ///   - timeout: The longest to wait for the complete response.
    /// - Throws: ``HTTPClientError``.
    public func readResponse(
        to method: HTTPMethod = .get,
        skipInformational: Bool = true,
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPClientResponse {
        try await withTaskExecutorPreference(loop) {
            try await self.readOnLoop(method, skipInformational: skipInformational, timeout: timeout)
        }
    }

    /// Waits until the server closes the connection, discarding nothing: bytes that arrive meanwhile stay readable.
    /// - Parameter timeout: The longest to wait.
    /// - Returns: Whether the connection closed within `timeout`.
    public func waitForClose(timeout: Duration) async -> Bool {
        await withTaskExecutorPreference(loop) {
            await self.waitForCloseOnLoop(timeout: timeout)
        }
    }

    /// Whether the server has closed the connection, as far as the client has seen.
    public var isClosed: Bool {
        get async { await withTaskExecutorPreference(loop) { self.socket.isClosed } }
    }

    /// Closes the connection.
    public func close() async {
        await withTaskExecutorPreference(loop) { self.socket.closeNow() }
    }

    // MARK: - On the loop

    private func writeOnLoop(_ bytes: [UInt8], timeout: Duration) async throws {
        guard !socket.isClosed else { throw HTTPClientError.connectionClosed }
        socket.send(bytes)
        let socket = socket
        guard await socket.wait(timeout: timeout, until: { socket.pendingOutput == 0 }) else { throw HTTPClientError.timedOut }
        if socket.pendingOutput > 0 { throw HTTPClientError.connectionClosed }
    }

    private func readOnLoop(_ method: HTTPMethod, skipInformational: Bool, timeout: Duration) async throws -> HTTPClientResponse {
        let socket = socket
        var parsed: (response: HTTPClientResponse, consumed: Int)?
        var failure: HTTPClientError?
        while true {
            let ready = await socket.wait(timeout: timeout) {
                do throws(HTTPClientError) {
                    parsed = try ResponseReader.read(socket.bufferedInput, requestMethod: method, endOfInput: socket.isClosed)
                } catch {
                    failure = error
                }
                return parsed != nil || failure != nil || socket.isClosed
            }
            if let failure { throw failure }
            guard ready else { throw HTTPClientError.timedOut }
            guard let (response, consumed) = parsed else { throw HTTPClientError.connectionClosed }
            socket.consumeInput(consumed)
            parsed = nil
            if skipInformational && response.status.codeClass == 1 { continue }
            return response
        }
    }

    private func waitForCloseOnLoop(timeout: Duration) async -> Bool {
        let socket = socket
        return await socket.wait(timeout: timeout) { socket.isClosed }
    }
}

/// Request bytes for the client.
enum HTTPRequestSerialization {
    static func write(_ head: HTTPRequestHead, body: [UInt8], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "\(head.method.rawValue) \(head.target) \(head.version)\r\n".utf8)
        for (name, value) in head.headers where !HTTPHeaders.namesEqual(name, "Content-Length") {
            buffer.append(contentsOf: "\(name): \(value)\r\n".utf8)
        }
        let chunked = head.headers.first(name: "Transfer-Encoding") != nil
        if !chunked && (!body.isEmpty || [HTTPMethod.post, .put, .patch].contains(head.method)) {
            buffer.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        buffer.append(contentsOf: "\r\n".utf8)
        buffer.append(contentsOf: body)
    }
}
