/// Writes a streaming response body; the closure of ``HTTPResponse/Body/stream(_:)`` receives one.
///
/// Writes are buffered and leave in as few system calls as possible; a write waits while more than
/// ``HTTPServer/Configuration/maxPendingOutput`` bytes are waiting for the client. The body ends when the closure
/// returns.
///
/// ```swift
/// HTTPResponse(status: .ok, headers: ["Content-Type": "text/csv"]) { writer in
///     for row in rows { try await writer.write(row + "\n") }
///     writer.trailers = ["X-Rows": "\(rows.count)"]
/// }
/// ```
public final class HTTPBodyWriter {
    private let connection: ServerConnection
    private let chunked: Bool
    /// Trailer fields sent after the last chunk; ignored when the body is not chunked (an HTTP/1.0 client).
    public var trailers: HTTPHeaders = [:]

    init(connection: ServerConnection, chunked: Bool) {
        self.connection = connection
        self.chunked = chunked
    }

    /// Writes part of the body; empty parts are skipped.
    /// - Parameter bytes: The bytes.
    /// - Throws: ``HTTPServerError/connectionClosed`` when the connection is gone.
    public func write(_ bytes: some Collection<UInt8>) async throws {
        try await connection.writeBodyPart(bytes, chunked: chunked)
    }

    /// Writes text as UTF-8.
    /// - Parameter text: The text.
    /// - Throws: ``HTTPServerError/connectionClosed`` when the connection is gone.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Writes the last chunk with the trailers.
    func finish() {
        if chunked { connection.writeFinalChunk(trailers: trailers) }
    }
}
