import HTTP
import Synchronization
import Testing

/// Keep-alive, pipelining, bodies, `Expect`, `HEAD` and HTTP/1.0 against a real server.
@Suite("HTTP server")
struct HTTPServerTests {
    @Test("a keep-alive connection serves several requests, with Date and Content-Length")
    func keepAlive() async throws {
        try await TestServer.with { server in
            let connection = try await server.connect()
            for index in 0..<5 {
                let response = try await connection.send(.post, "/echo", body: Array("body \(index)".utf8))
                #expect(response.status == .ok)
                #expect(response.text == "body \(index)")
                #expect(response.headers.first(name: "Content-Length") == "\(6)")
                let date = try #require(response.headers.first(name: "Date"))
                #expect(date.hasSuffix(" GMT") && date.count == 29, "IMF-fixdate: \(date)")
                #expect(response.headers.first(name: "Connection") == nil)
            }
        }
    }

    @Test("pipelined requests are answered in order even when the first is the slowest")
    func pipelinedInOrder() async throws {
        var router = TestServer.echoRouter()
        router.get("/slow/{n}") { request, _ in
            try await Task.sleep(for: .milliseconds(50))
            return .text("slow \(request.pathParameters["n"]!)")
        }
        router.get("/fast/{n}") { request, _ in .text("fast \(request.pathParameters["n"]!)") }
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            let targets = ["/slow/1", "/fast/2", "/slow/3", "/fast/4", "/fast/5"]
            let raw = targets.map { "GET \($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()
            try await connection.write(Array(raw.utf8))
            for target in targets {
                let response = try await connection.readResponse()
                let kind = target.split(separator: "/")[0]
                let number = target.split(separator: "/")[1]
                #expect(response.text == "\(kind) \(number)")
            }
        }
    }

    @Test("a chunked request body is collected and echoed")
    func chunkedRequestBody() async throws {
        try await TestServer.with { server in
            let connection = try await server.connect()
            let raw =
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: yes\r\n\r\n"
            try await connection.write(Array(raw.utf8))
            let response = try await connection.readResponse()
            #expect(response.status == .ok)
            #expect(response.text == "hello world!")
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body, then the final response")
    func expectContinue() async throws {
        try await TestServer.with { server in
            let connection = try await server.connect()
            try await connection.write(Array("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n".utf8))
            let interim = try await connection.readResponse(skipInformational: false)
            #expect(interim.status == .continue)
            try await connection.write(Array("hello".utf8))
            let final = try await connection.readResponse(skipInformational: false)
            #expect(final.status == .ok)
            #expect(final.text == "hello")
        }
    }

    @Test("Expect: 100-continue to a path without a route gets 404 instead of 100, and the body is never read")
    func expectContinueRefused() async throws {
        try await TestServer.with { server in
            let connection = try await server.connect()
            try await connection.write(Array("PUT /nowhere HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n".utf8))
            let response = try await connection.readResponse(skipInformational: false)
            #expect(response.status == .notFound)
            #expect(response.headers.first(name: "Connection") == "close")
            #expect(await connection.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test("HEAD gets the GET head with Content-Length and no body")
    func head() async throws {
        var router = HTTPRouter()
        router.get("/doc") { _, _ in .text("twelve bytes") }
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            let head = try await connection.send(.head, "/doc")
            #expect(head.status == .ok)
            #expect(head.headers.first(name: "Content-Length") == "12")
            #expect(head.body.isEmpty)
            // Had the server sent a body, it would be read as the start of this response.
            let get = try await connection.send(.get, "/doc")
            #expect(get.text == "twelve bytes")
        }
    }

    @Test("HTTP/1.0 closes after the response unless it asks for keep-alive")
    func http10() async throws {
        try await TestServer.with { server in
            let closing = try await server.connect()
            try await closing.write(Array("GET /echo HTTP/1.0\r\n\r\n".utf8))
            let first = try await closing.readResponse()
            #expect(first.status == .ok)
            #expect(first.headers.first(name: "Connection") == "close")
            #expect(await closing.waitForClose(timeout: .seconds(5)))

            let keeping = try await server.connect()
            for _ in 0..<2 {
                try await keeping.write(Array("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8))
                let response = try await keeping.readResponse()
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Connection") == "keep-alive")
            }
        }
    }

    @Test("Connection: close is honoured after the response")
    func connectionClose() async throws {
        try await TestServer.with { server in
            let connection = try await server.connect()
            let response = try await connection.send(.get, "/echo", headers: ["Connection": "close"])
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Connection") == "close")
            #expect(await connection.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test("a streaming response is sent chunked with trailers, and close-delimited to HTTP/1.0")
    func streamingResponse() async throws {
        var router = HTTPRouter()
        router.get("/stream") { _, _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"]) { writer in
                for part in ["one ", "two ", "three"] {
                    try await writer.write(part)
                    await Task.yield()
                }
                writer.trailers = ["X-Parts": "3"]
            }
        }
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            let response = try await connection.send(.get, "/stream")
            #expect(response.headers.first(name: "Transfer-Encoding") == "chunked")
            #expect(response.text == "one two three")
            #expect(response.trailers.first(name: "X-Parts") == "3")
            let again = try await connection.send(.get, "/stream")
            #expect(again.text == "one two three")

            let old = try await server.connect()
            try await old.write(Array("GET /stream HTTP/1.0\r\n\r\n".utf8))
            let closeDelimited = try await old.readResponse()
            #expect(closeDelimited.headers.first(name: "Transfer-Encoding") == nil)
            #expect(closeDelimited.text == "one two three")
        }
    }

    @Test("large bodies cross in both directions, through write backpressure")
    func largeBodies() async throws {
        let size = 900 * 1024
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var router = TestServer.echoRouter()
        router.get("/big-stream") { _, _ in
            HTTPResponse(status: .ok) { writer in
                for offset in stride(from: 0, to: 4 << 20, by: 64 * 1024) {
                    try await writer.write(repeatElement(UInt8(truncatingIfNeeded: offset >> 16), count: 64 * 1024))
                }
            }
        }
        try await TestServer.with(responder: router, configuration: .testing { $0.maxPendingOutput = 64 * 1024 }) { server in
            let connection = try await server.connect()
            let echoed = try await connection.send(.post, "/echo", body: payload, timeout: .seconds(60))
            #expect(echoed.body == payload)
            let streamed = try await connection.send(.get, "/big-stream", timeout: .seconds(60))
            #expect(streamed.body.count == 4 << 20)
            #expect(streamed.body[65 * 1024] == 1)
        }
    }

    @Test("200 pipelined requests for 64 KiB each, read only after all were sent, arrive complete and in order")
    func pipeliningUnderWriteBackpressure() async throws {
        var router = HTTPRouter()
        router.get("/block/{n}") { request, _ in
            let n = Int(request.pathParameters["n"]!)!
            return HTTPResponse(body: Array(repeating: UInt8(truncatingIfNeeded: n), count: 64 * 1024))
        }
        try await TestServer.with(responder: router, configuration: .testing { $0.maxPendingOutput = 128 * 1024 }) { server in
            let connection = try await server.connect()
            let raw = (0..<200).map { "GET /block/\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()
            try await connection.write(Array(raw.utf8))
            for n in 0..<200 {
                let response = try await connection.readResponse()
                #expect(response.body.count == 64 * 1024)
                #expect(response.body.allSatisfy { $0 == UInt8(truncatingIfNeeded: n) }, "response \(n) out of order")
            }
        }
    }

    @Test("a handler that throws gets 500 and the connection stays usable")
    func handlerError() async throws {
        struct Failure: Error {}
        var router = TestServer.echoRouter()
        router.get("/fail") { _, _ in throw Failure() }
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            #expect(try await connection.send(.get, "/fail").status == .internalServerError)
            #expect(try await connection.send(.get, "/echo").status == .ok)
        }
    }

    @Test("the error responder hook shapes parser error responses")
    func errorResponderHook() async throws {
        let configuration = HTTPServer.Configuration.testing { configuration in
            configuration.errorResponder = { error in
                HTTPResponse(
                    status: error.status,
                    headers: ["Content-Type": "application/problem+json"],
                    body: Array("{\"status\":\(error.status.code)}".utf8)
                )
            }
        }
        try await TestServer.with(configuration: configuration) { server in
            let connection = try await server.connect()
            try await connection.write(Array("GET /echo HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n".utf8))
            let response = try await connection.readResponse()
            #expect(response.status == .badRequest)
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(response.text == "{\"status\":400}")
            #expect(await connection.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test("the handler sees path, decoded query, remote address and context")
    func requestDetails() async throws {
        let seen = Mutex<[String]>([])
        var router = HTTPRouter()
        router.get("/items/{name}") { request, context in
            let query = request.queryParameters
            seen.withLock {
                $0 = [
                    String(request.path), request.pathParameters["name"] ?? "-", query["q"] ?? "-", query.values(for: "tag").joined(separator: ","),
                    request.remoteAddress?.host ?? "-", request.route ?? "-", "\(context.connectionID > 0)",
                ]
            }
            return HTTPResponse(status: .noContent)
        }
        try await TestServer.with(responder: router) { server in
            let connection = try await server.connect()
            let response = try await connection.send(.get, "/items/caf%C3%A9%20au%20lait?q=a+b%26c&tag=x&tag=y")
            #expect(response.status == .noContent)
            #expect(response.headers.first(name: "Content-Length") == nil)
        }
        #expect(seen.withLock { $0 } == ["/items/caf%C3%A9%20au%20lait", "café au lait", "a b&c", "x,y", "127.0.0.1", "/items/{name}", "true"])
    }
}
