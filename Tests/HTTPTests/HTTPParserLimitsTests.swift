import HTTP
import Testing

/// Each limit accepts a request exactly at it and refuses one byte (or field) more, however the bytes arrive.
@Suite("HTTPParserLimits")
struct HTTPParserLimitsTests {
    private static func get(target: String, headers: String = "Host: example.com\r\n") -> [UInt8] {
        Array(request: "GET \(target) HTTP/1.1\r\n\(headers)\r\n")
    }

    /// The whole-feed outcome, after checking byte-by-byte feeding agrees.
    private static func outcome(_ bytes: [UInt8], limits: HTTPParserLimits = .default) -> HTTPParserEvent? {
        let whole = ParserRun.whole(bytes, limits: limits)
        #expect(ParserRun.byteByByte(bytes, limits: limits).events == whole.events)
        #expect(ParserRun.pieces(bytes, size: 1000, limits: limits).events == whole.events)
        return whole.events.last
    }

    @Test("request line: 8192 bytes pass, 8193 answer 414")
    func requestLineLimit() {
        let padding = 8192 - "GET /echo?pad= HTTP/1.1".utf8.count
        let atLimit = Self.get(target: "/echo?pad=" + String(repeating: "a", count: padding))
        let overLimit = Self.get(target: "/echo?pad=" + String(repeating: "a", count: padding + 1))
        #expect(Self.outcome(atLimit) == .end(trailers: nil))
        #expect(Self.outcome(overLimit) == .error(.requestLineTooLong))
        #expect(HTTPParserError.requestLineTooLong.status.code == 414)
    }

    @Test("request line: refused while still arriving, as soon as it passes the limit")
    func unterminatedRequestLine() {
        let limits = HTTPParserLimits(maxRequestLineLength: 16)
        var parser = HTTPRequestParser(limits: limits)
        // 16 bytes and a CR may still end exactly at the limit.
        parser.feed(Array(request: "GET /0123456789 \r"))
        #expect(parser.next() == nil)
        parser.feed([UInt8(ascii: "X")])
        #expect(parser.next() == .error(.requestLineTooLong))
    }

    @Test("header section: 16384 bytes pass, 16385 answer 431")
    func headerSectionLimit() {
        // Host line + X-Pad line + the final CRLF.
        let padding = 16384 - "Host: example.com\r\nX-Pad: \r\n\r\n".utf8.count
        let atLimit = Self.get(target: "/echo", headers: "Host: example.com\r\nX-Pad: \(String(repeating: "p", count: padding))\r\n")
        let overLimit = Self.get(target: "/echo", headers: "Host: example.com\r\nX-Pad: \(String(repeating: "p", count: padding + 1))\r\n")
        #expect(Self.outcome(atLimit) == .end(trailers: nil))
        #expect(Self.outcome(overLimit) == .error(.headerSectionTooLarge))
        #expect(HTTPParserError.headerSectionTooLarge.status.code == 431)
    }

    @Test("header fields: 100 pass, 101 answer 431")
    func headerCountLimit() {
        let ninetyNine = (0..<99).map { "X-Field-\($0): \($0)\r\n" }.joined()
        #expect(Self.outcome(Self.get(target: "/echo", headers: "Host: x\r\n" + ninetyNine)) == .end(trailers: nil))
        #expect(Self.outcome(Self.get(target: "/echo", headers: "Host: x\r\nX-Extra: 1\r\n" + ninetyNine)) == .error(.tooManyHeaderFields))
        #expect(HTTPParserError.tooManyHeaderFields.status.code == 431)
    }

    @Test("Content-Length body: 1 MiB passes, 1 MiB + 1 answers 413")
    func contentLengthLimit() {
        let mebibyte = 1 << 20
        let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
        let atLimit = Array(request: head + "\(mebibyte)\r\n\r\n") + [UInt8](repeating: 0x61, count: mebibyte)
        let run = ParserRun.pieces(atLimit, size: 65_536)
        #expect(run.events.count == 3)
        #expect(run.events.last == .end(trailers: nil))
        if case .body(let body) = run.events[1] { #expect(body.count == mebibyte) }
        #expect(ParserRun.whole(Array(request: head + "\(mebibyte + 1)\r\n\r\n")).events == [.error(.contentTooLarge)])
    }

    @Test("chunked body: 1 MiB in total passes, one more byte answers 413 when its chunk is announced")
    func chunkedLimit() {
        let head = Array(request: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let half = [UInt8](repeating: 0x62, count: 1 << 19)
        let twoHalves = head + Array(request: "80000\r\n") + half + Array(request: "\r\n80000\r\n") + half + Array(request: "\r\n")
        let atLimit = ParserRun.pieces(twoHalves + Array(request: "0\r\n\r\n"), size: 65_536)
        #expect(atLimit.events.last == .end(trailers: nil))
        if case .body(let body) = atLimit.events[1] { #expect(body.count == 1 << 20) }
        let overLimit = ParserRun.pieces(twoHalves + Array(request: "1\r\n"), size: 65_536)
        #expect(overLimit.events.last == .error(.contentTooLarge))
    }

    @Test("small limits are enforced exactly at their boundaries", arguments: 0...3)
    func customBodyLimit(extra: Int) {
        let limits = HTTPParserLimits(maxBodySize: 10)
        let body = String(repeating: "z", count: 9 + extra)
        let contentLength = Array(request: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let chunked = Array(
            request: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nzzzzz\r\n\(String(4 + extra, radix: 16))\r\n"
                + String(body.dropFirst(5)) + "\r\n0\r\n\r\n"
        )
        let expected: HTTPParserEvent = 9 + extra <= 10 ? .end(trailers: nil) : .error(.contentTooLarge)
        #expect(Self.outcome(contentLength, limits: limits) == expected)
        #expect(Self.outcome(chunked, limits: limits) == expected)
    }

    @Test("chunk-size line: extensions up to the limit pass, longer answer 400")
    func chunkLineLimit() {
        let limits = HTTPParserLimits(maxChunkLineLength: 32)
        func request(extensionLength: Int) -> [UInt8] {
            Array(
                request: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"
                    + String(repeating: "e", count: extensionLength) + "\r\nz\r\n0\r\n\r\n"
            )
        }
        #expect(Self.outcome(request(extensionLength: 30), limits: limits) == .end(trailers: nil))
        #expect(Self.outcome(request(extensionLength: 31), limits: limits) == .error(.chunkLineTooLong))
    }

    @Test("trailer section has the header limits")
    func trailerLimits() {
        let limits = HTTPParserLimits(maxHeaderSectionSize: 64, maxHeaderCount: 2)
        let head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(Self.outcome(Array(request: head + "A: 1\r\nB: 2\r\n\r\n"), limits: limits) == .end(trailers: ["A": "1", "B": "2"]))
        #expect(Self.outcome(Array(request: head + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), limits: limits) == .error(.tooManyHeaderFields))
        // 62 bytes of field line + the final CRLF = 64.
        let field = "A: " + String(repeating: "v", count: 57) + "\r\n"
        #expect(Self.outcome(Array(request: head + field + "\r\n"), limits: limits) == .end(trailers: ["A": String(repeating: "v", count: 57)]))
        #expect(Self.outcome(Array(request: head + "A" + field + "\r\n"), limits: limits) == .error(.headerSectionTooLarge))
    }
}
