import Testing

@testable import HTTP

/// The client's response reader: the head read byte by byte, the body by its framing.
@Suite("HTTP client response reader")
struct ResponseReaderTests {
    static func read(_ text: String, method: HTTPMethod = .get, endOfInput: Bool = false) throws -> (response: HTTPClientResponse, consumed: Int)? {
        try ResponseReader.read(Array(text.utf8)[...], requestMethod: method, endOfInput: endOfInput)
    }

    @Test("status line: version, code and reason phrase, which may be empty or missing")
    func statusLines() throws {
        let ok = try #require(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
        #expect(ok.response.version == HTTPVersion(major: 1, minor: 1))
        #expect(ok.response.status.code == 200)
        #expect(ok.response.status.reasonPhrase == "OK")
        let spaced = try #require(try Self.read("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
        #expect(spaced.response.version == HTTPVersion(major: 1, minor: 0))
        #expect(spaced.response.status.reasonPhrase == "Service Unavailable")
        #expect(try Self.read("HTTP/1.0 599 \r\nContent-Length: 0\r\n\r\n")?.response.status.code == 599)
        #expect(try Self.read("HTTP/1.1 204\r\n\r\n")?.response.status.reasonPhrase == "")
        for bad in ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc OK", "XTTP/1.1 200 OK", "HTTP/1.1 099 Low", "HTTP/11 200 OK", ""] {
            #expect(throws: HTTPClientError.self, "\(bad)") { try Self.read(bad + "\r\nContent-Length: 0\r\n\r\n") }
        }
    }

    @Test("field lines: names as sent, values without surrounding blanks, repeated fields kept, a line without a colon refused")
    func fieldLines() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type:\t text/plain \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Empty:\r\nContent-Length: 2\r\n\r\nhi"
        let read = try #require(try Self.read(text))
        #expect(read.response.headers.first(name: "content-type") == "text/plain")
        #expect(read.response.headers.values(name: "Set-Cookie") == ["a=1", "b=2"])
        #expect(read.response.headers.first(name: "X-Empty") == "")
        #expect(read.response.body == Array("hi".utf8))
        #expect(read.consumed == text.utf8.count)
        #expect(throws: HTTPClientError.self) { try Self.read("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n") }
    }

    @Test("a response is read once complete: head, then the body its framing announces")
    func framing() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") == nil, "the head is not complete")
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab") == nil, "the body is not complete")
        let two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\n"
        #expect(try Self.read(two)?.consumed == 39, "only the first response is consumed")
        let chunked = try #require(
            try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nDigest: z\r\n\r\n")
        )
        #expect(chunked.response.body == Array("abcde".utf8))
        #expect(chunked.response.trailers.first(name: "Digest") == "z")
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", method: .head)?.response.body == [])
        #expect(try Self.read("HTTP/1.0 200 OK\r\n\r\nuntil close") == nil)
        #expect(try Self.read("HTTP/1.0 200 OK\r\n\r\nuntil close", endOfInput: true)?.response.body == Array("until close".utf8))
    }
}
