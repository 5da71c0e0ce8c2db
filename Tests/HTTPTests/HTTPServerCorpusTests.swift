import HTTP
import Testing

/// The request corpus of `Fixtures/http` against the real server over real sockets.
@Suite("HTTP server corpus")
struct HTTPServerCorpusTests {
    @Test("every corpus case gets its status over a socket, and the connection closes or stays open as listed")
    func corpusOverSocket() async throws {
        let cases = try HTTPCorpus.load()
        try await TestServer.with { server in
            // Eight connections at a time: bounded, and fast enough for 143 cases.
            try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = cases[...]
                for _ in 0..<8 {
                    guard let next = pending.popFirst() else { break }
                    group.addTask { try await Self.run(next, on: server) }
                }
                while try await group.next() != nil {
                    guard let next = pending.popFirst() else { continue }
                    group.addTask { try await Self.run(next, on: server) }
                }
            }
        }
    }

    private static func run(_ corpusCase: HTTPCorpus.Case, on server: TestServer) async throws {
        let connection = try await server.connect()
        await check(corpusCase, on: connection)
        await connection.close()
    }

    private static func check(_ corpusCase: HTTPCorpus.Case, on connection: HTTPClientConnection) async {
        do {
            try await connection.write(corpusCase.bytes)
        } catch {
            Issue.record("\(corpusCase.file): write failed: \(error)")
            return
        }
        // The parser's verdict says how many responses the server owes: one per complete request, plus the error.
        let events = ParserRun.whole(corpusCase.bytes).events
        var methods: [HTTPMethod] = []
        var responseCount = 0
        for event in events {
            switch event {
            case .head(let head): methods.append(head.method)
            case .end: responseCount += 1
            case .error: responseCount += 1
            case .body: break
            }
        }
        var last: HTTPClientResponse?
        for index in 0..<responseCount {
            do {
                last = try await connection.readResponse(to: index < methods.count ? methods[index] : .get, timeout: .seconds(5))
            } catch {
                Issue.record("\(corpusCase.file): response \(index + 1) of \(responseCount): \(error)")
                return
            }
        }
        #expect(last?.status.code == corpusCase.status, "\(corpusCase.file): \(corpusCase.summary)")
        if corpusCase.closesConnection {
            #expect(last?.headers.first(name: "Connection") == "close", "\(corpusCase.file): no Connection: close")
            #expect(await connection.waitForClose(timeout: .seconds(5)), "\(corpusCase.file): connection stayed open")
        } else {
            let again = try? await connection.send(.get, "/echo", timeout: .seconds(5))
            #expect(again?.status == .ok, "\(corpusCase.file): connection not kept")
        }
    }
}
