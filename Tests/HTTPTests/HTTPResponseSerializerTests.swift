import HTTP
import Testing

@Suite("HTTPResponseSerializer")
struct HTTPResponseSerializerTests {
    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @Test("a Content-Length response is byte-exact")
    func contentLengthResponse() {
        var buffer: [UInt8] = []
        let head = HTTPResponseHead(status: .ok, headers: ["Content-Type": "text/plain", "X-Request-Id": "abc"])
        HTTPResponseSerializer.writeResponse(head, body: Array("hello".utf8), into: &buffer)
        #expect(Self.text(buffer) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Request-Id: abc\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test("a chunked response with trailers is byte-exact")
    func chunkedResponse() {
        var buffer: [UInt8] = []
        HTTPResponseSerializer.writeHead(HTTPResponseHead(status: .created), framing: .chunked, into: &buffer)
        HTTPResponseSerializer.writeChunk(Array("hello".utf8), into: &buffer)
        HTTPResponseSerializer.writeChunk([UInt8](), into: &buffer)
        HTTPResponseSerializer.writeChunk([UInt8](repeating: 0x2E, count: 26), into: &buffer)
        HTTPResponseSerializer.writeFinalChunk(trailers: ["X-Checksum": "42"], into: &buffer)
        let dots = String(repeating: ".", count: 26)
        #expect(
            Self.text(buffer)
                == "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1a\r\n\(dots)\r\n0\r\nX-Checksum: 42\r\n\r\n"
        )
    }

    @Test("framing comes from the framing argument, never from the headers")
    func framingFieldsAreReplaced() {
        var buffer: [UInt8] = []
        let head = HTTPResponseHead(
            status: .noContent,
            headers: ["content-length": "99", "Transfer-Encoding": "gzip", "Date": "Sun, 06 Nov 1994 08:49:37 GMT"]
        )
        HTTPResponseSerializer.writeHead(head, framing: .noBody, into: &buffer)
        #expect(Self.text(buffer) == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
    }

    @Test("values cannot split the response; invalid names are dropped")
    func responseSplittingIsImpossible() {
        var buffer: [UInt8] = []
        let head = HTTPResponseHead(
            status: HTTPStatus(code: 302, reasonPhrase: "Found\r\nX-Evil: 1"),
            headers: ["Location": "/a\r\nSet-Cookie: evil=1", "Bad Name": "x", "": "y", "X-Ok": "tab\tkept"]
        )
        HTTPResponseSerializer.writeHead(head, framing: .contentLength(0), into: &buffer)
        #expect(
            Self.text(buffer)
                == "HTTP/1.1 302 Found  X-Evil: 1\r\nLocation: /a  Set-Cookie: evil=1\r\nX-Ok: tab\tkept\r\nContent-Length: 0\r\n\r\n"
        )
    }

    @Test("version, unregistered status codes and empty reason phrases are written as given")
    func statusLine() {
        var buffer: [UInt8] = []
        HTTPResponseSerializer.writeHead(HTTPResponseHead(status: HTTPStatus(code: 599), version: .http1_0), framing: .noBody, into: &buffer)
        #expect(Self.text(buffer) == "HTTP/1.0 599 \r\n\r\n")
        #expect(HTTPStatus(code: 404) == .notFound)
        #expect(HTTPStatus(code: 404).reasonPhrase == "Not Found")
        #expect(HTTPStatus(code: 404, reasonPhrase: "Nope") == .notFound)
    }

    @Test("a chunked response parses back to its content with the request parser's chunk rules")
    func chunkEncodingRoundTrip() {
        var body: [UInt8] = []
        let parts = [[UInt8](repeating: 1, count: 300), [2, 3], [UInt8](repeating: 4, count: 4096)]
        for part in parts { HTTPResponseSerializer.writeChunk(part, into: &body) }
        HTTPResponseSerializer.writeFinalChunk(into: &body)
        let request = Array(request: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") + body
        let events = ParserRun.whole(request).events
        #expect(events.dropFirst().first == .body(Array(parts.joined())[...]))
        #expect(events.last == .end(trailers: nil))
    }
}
