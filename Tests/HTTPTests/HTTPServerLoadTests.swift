import HTTP
import Testing

/// Many requests over many keep-alive connections.
@Suite("HTTP server load")
struct HTTPServerLoadTests {
    @Test("10,000 requests over 64 keep-alive connections: no errors, every response matches its request")
    func manyRequests() async throws {
        try await TestServer.with { server in
            let connections = 64
            let total = 10_000
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for connectionIndex in 0..<connections {
                    group.addTask {
                        let connection = try await server.connect()
                        var served = 0
                        var id = connectionIndex
                        while id < total {
                            let body = Array("payload-\(id)".utf8)
                            let response = try await connection.send(.post, "/echo", headers: ["X-Request-Id": "\(id)"], body: body)
                            #expect(response.status == .ok)
                            #expect(response.headers.first(name: "X-Request-Id") == "\(id)")
                            #expect(response.body == body)
                            served += 1
                            id += connections
                        }
                        await connection.close()
                        return served
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts.reduce(0, +) == total)
            #expect(counts.count == connections)
        }
    }
}
