import HTTP
import Testing

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    @Test("valid requests give the same events whole, byte by byte and split anywhere", arguments: ValidRequest.all)
    func validRequestSplitInvariance(_ request: ValidRequest) {
        let run = ParserRun.verifySplits(request.bytes)
        #expect(run.events == request.expected)
        #expect(run.isIdle)
    }

    @Test("bytes after a complete request stay buffered for the next one")
    func pipelinedLeftoverIsKept() {
        var parser = HTTPRequestParser()
        parser.feed(Array(request: "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HT"))
        guard case .head(let first) = parser.next() else {
            Issue.record("expected the first head")
            return
        }
        #expect(first.target == "/a")
        #expect(parser.next() == .end(trailers: nil))
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount == "GET /b HT".utf8.count)
        #expect(!parser.isIdle)

        parser.feed(Array(request: "TP/1.1\r\nHost: x\r\n\r\n"))
        guard case .head(let second) = parser.next() else {
            Issue.record("expected the second head")
            return
        }
        #expect(second.target == "/b")
        #expect(parser.next() == .end(trailers: nil))
        #expect(parser.isIdle)
    }

    @Test("an incomplete request waits for more bytes instead of failing")
    func incompleteRequestWaits() {
        let partials = [
            "GET /echo HTTP/1.1\r\nHost: exam",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: 1\r\n",
        ]
        for partial in partials {
            let run = ParserRun.verifySplits(Array(request: partial))
            #expect(!run.events.contains { if case .error = $0 { true } else { false } }, "\(partial)")
            #expect(!run.events.contains { if case .end = $0 { true } else { false } }, "\(partial)")
            #expect(!run.isIdle)
        }
    }

    @Test("after an error the parser reports nothing more and ignores input")
    func errorIsFinal() {
        var parser = HTTPRequestParser()
        parser.feed(Array(request: "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /echo HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(parser.next() == .error(.duplicateHost))
        #expect(parser.next() == nil)
        parser.feed(Array(request: "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
        #expect(!parser.isIdle)
    }

    @Test("a body refused by its Content-Length is refused before any of it arrives")
    func oversizedContentLengthRefusedEarly() {
        var parser = HTTPRequestParser()
        parser.feed(Array(request: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n"))
        let event = parser.next()
        #expect(event == .error(.contentTooLarge))
        if case .error(let error) = event {
            #expect(error.status == .contentTooLarge)
            #expect(error.closesConnection)
        }
    }

    @Test("header values are trimmed, names keep their case, lookups ignore it")
    func headerFieldsAsSent() {
        let run = ParserRun.verifySplits(
            Array(request: "GET / HTTP/1.1\r\nhOST:  example.com \t\r\nX-Multi: a\r\nx-multi: b\r\nX-Empty:\r\n\r\n")
        )
        guard case .head(let head) = run.events.first else {
            Issue.record("no head: \(run.events)")
            return
        }
        #expect(Array(head.headers.map(\.name)) == ["hOST", "X-Multi", "x-multi", "X-Empty"])
        #expect(head.headers.first(name: "host") == "example.com")
        #expect(head.headers.values(name: "X-MULTI") == ["a", "b"])
        #expect(head.headers.first(name: "x-empty") == "")
    }

    @Test("obs-text in a value is decoded as UTF-8 where valid, U+FFFD where not")
    func obsTextValues() {
        let bytes = Array(request: "GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf") + [0xC3, 0xA9, 0x20, 0xE9] + Array(request: "\r\n\r\n")
        guard case .head(let head) = ParserRun.whole(bytes).events.first else {
            Issue.record("no head")
            return
        }
        #expect(head.headers.first(name: "X-Name") == "café \u{FFFD}")
    }

    @Test(
        "smuggling attempts fail for the intended reason",
        arguments: [
            ("Content-Length: 3\r\nTransfer-Encoding: chunked", HTTPParserError.contentLengthWithTransferEncoding),
            ("Content-Length: 3\r\nContent-Length: 3", .duplicateContentLength),
            ("Content-Length: 3, 3", .invalidContentLength),
            ("Content-Length: +3", .invalidContentLength),
            ("Content-Length: 99999999999999999999", .invalidContentLength),
            ("Transfer-Encoding: chunked, identity", .chunkedNotFinal),
            ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", .chunkedNotFinal),
            ("Transfer-Encoding: gzip, chunked", .unsupportedTransferEncoding),
            ("Transfer-Encoding: xchunked", .unsupportedTransferEncoding),
            ("Transfer-Encoding: \"chunked\"", .invalidTransferEncoding),
            ("Transfer-Encoding : chunked", .whitespaceBeforeColon),
            ("Transfer-Encoding:\r\n chunked", .obsoleteLineFolding),
            ("X-Header: a\rTransfer-Encoding: chunked", .bareCarriageReturn),
            ("X-Header: a\nTransfer-Encoding: chunked", .bareLineFeed),
            ("X-Header: a\u{0}b", .invalidFieldValue),
            ("Host: b", .duplicateHost),
            ("X@Y: 1", .invalidFieldName),
            ("NoColon", .missingColon),
        ]
    )
    func smugglingErrors(field: String, error: HTTPParserError) {
        let bytes = Array(request: "POST /echo HTTP/1.1\r\nHost: a\r\n\(field)\r\n\r\n0\r\n\r\n")
        #expect(ParserRun.verifySplits(bytes).events.last == .error(error))
    }

    @Test(
        "chunked framing errors are reported for the intended reason",
        arguments: [
            ("0x5\r\nhello\r\n0\r\n\r\n", HTTPParserError.invalidChunkSize),
            ("5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize),
            ("10000000000000005\r\nhello\r\n0\r\n\r\n", .invalidChunkSize),
            ("5;\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension),
            ("5;a=\"x\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension),
            ("5;a=b \r\nhello\r\n0\r\n\r\n", .invalidChunkExtension),
            ("5\r\nhelloXX0\r\n\r\n", .missingChunkTerminator),
            ("5\r\nhello\n0\r\n\r\n", .missingChunkTerminator),
            ("5\nhello\r\n0\r\n\r\n", .bareLineFeed),
            ("5;a\rb\r\nhello\r\n0\r\n\r\n", .bareCarriageReturn),
            ("0\r\nX-Trailer : 1\r\n\r\n", .whitespaceBeforeColon),
        ]
    )
    func chunkedErrors(body: String, error: HTTPParserError) {
        let bytes = Array(request: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(body)")
        let events = ParserRun.verifySplits(bytes).events
        #expect(events.last == .error(error), "\(events)")
    }

    @Test(
        "request-line errors are reported for the intended reason",
        arguments: [
            ("GET /echo HTTP/2.0", HTTPParserError.unsupportedVersion),
            ("GET /echo HTTP/1.1 ", .invalidVersion),
            ("GET  /echo HTTP/1.1", .invalidRequestLine),
            ("GET /echo", .invalidRequestLine),
            ("G\"T /echo HTTP/1.1", .invalidMethod),
            ("GET * HTTP/1.1", .invalidRequestTarget),
            ("CONNECT /echo HTTP/1.1", .invalidRequestTarget),
            ("CONNECT example.com HTTP/1.1", .invalidRequestTarget),
            ("GET example.com:443 HTTP/1.1", .invalidRequestTarget),
        ]
    )
    func requestLineErrors(line: String, error: HTTPParserError) {
        #expect(ParserRun.verifySplits(Array(request: "\(line)\r\nHost: a\r\n\r\n")).events == [.error(error)])
    }

    @Test("HTTP/1.1 needs Host; HTTP/1.0 does not")
    func hostRequirement() {
        #expect(ParserRun.whole(Array(request: "GET / HTTP/1.1\r\n\r\n")).events == [.error(.missingHost)])
        #expect(ParserRun.whole(Array(request: "GET / HTTP/1.0\r\n\r\n")).outcome == (200, true))
    }
}
