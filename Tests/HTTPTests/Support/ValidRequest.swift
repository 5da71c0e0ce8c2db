import HTTP
import Testing

/// A valid request, the events it must produce, and a name for the test report.
struct ValidRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expected: [HTTPParserEvent]

    var testDescription: String { name }

    static let all: [ValidRequest] = [
        ValidRequest(
            name: "GET",
            bytes: Array(request: "GET /echo?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
            expected: [
                .head(
                    HTTPRequestHead(
                        method: .get,
                        target: "/echo?q=1",
                        headers: ["Host": "example.com", "Accept": "*/*"]
                    )
                ),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "POST with Content-Length",
            bytes: Array(request: "POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world"),
            expected: [
                .head(
                    HTTPRequestHead(
                        method: .post,
                        target: "/echo",
                        headers: ["Host": "example.com", "Content-Length": "11"],
                        framing: .contentLength(11)
                    )
                ),
                .body(Array(request: "hello world")[...]),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "chunked with extensions and trailers",
            bytes: Array(
                request: "POST /echo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n6 ; q=\"a \\\"b\"\r\n world\r\n0;last\r\nX-Checksum: abc\r\nX-Count: 2\r\n\r\n"
            ),
            expected: [
                .head(
                    HTTPRequestHead(
                        method: .post,
                        target: "/echo",
                        headers: ["Host": "example.com", "Transfer-Encoding": "chunked"],
                        framing: .chunked
                    )
                ),
                .body(Array(request: "hello world")[...]),
                .end(trailers: ["X-Checksum": "abc", "X-Count": "2"]),
            ]
        ),
        ValidRequest(
            name: "pipelined pair",
            bytes: Array(
                request: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /echo HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"
            ),
            expected: [
                .head(
                    HTTPRequestHead(
                        method: .post,
                        target: "/echo",
                        headers: ["Host": "a", "Content-Length": "3"],
                        framing: .contentLength(3)
                    )
                ),
                .body(Array(request: "abc")[...]),
                .end(trailers: nil),
                .head(
                    HTTPRequestHead(method: .get, target: "/echo", headers: ["Host": "b", "Connection": "close"], keepAlive: false)
                ),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "HTTP/1.0 keep-alive",
            bytes: Array(request: "GET /echo HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
            expected: [
                .head(
                    HTTPRequestHead(method: .get, target: "/echo", version: .http1_0, headers: ["Connection": "Keep-Alive"])
                ),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "HTTP/1.0 without keep-alive",
            bytes: Array(request: "GET /echo HTTP/1.0\r\n\r\n"),
            expected: [
                .head(HTTPRequestHead(method: .get, target: "/echo", version: .http1_0, keepAlive: false)),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "Expect: 100-continue",
            bytes: Array(
                request: "PUT /echo HTTP/1.1\r\nHost: example.com\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok"
            ),
            expected: [
                .head(
                    HTTPRequestHead(
                        method: .put,
                        target: "/echo",
                        headers: ["Host": "example.com", "Expect": "100-Continue", "Content-Length": "2"],
                        framing: .contentLength(2),
                        expectsContinue: true
                    )
                ),
                .body(Array(request: "ok")[...]),
                .end(trailers: nil),
            ]
        ),
        ValidRequest(
            name: "OPTIONS *, CONNECT authority, absolute-form, unknown method",
            bytes: Array(
                request: "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n"
                    + "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
                    + "GET http://example.com/echo HTTP/1.1\r\nHost: example.com\r\n\r\n"
                    + "PURGE /echo HTTP/1.1\r\nHost: example.com\r\n\r\n"
            ),
            expected: [
                .head(HTTPRequestHead(method: .options, target: "*", headers: ["Host": "example.com"])),
                .end(trailers: nil),
                .head(HTTPRequestHead(method: .connect, target: "example.com:443", headers: ["Host": "example.com:443"])),
                .end(trailers: nil),
                .head(HTTPRequestHead(method: .get, target: "http://example.com/echo", headers: ["Host": "example.com"])),
                .end(trailers: nil),
                .head(HTTPRequestHead(method: "PURGE", target: "/echo", headers: ["Host": "example.com"])),
                .end(trailers: nil),
            ]
        ),
    ]
}
