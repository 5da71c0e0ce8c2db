import Foundation
import HTTP
import Testing

/// A keep-alive connection of its own to a system under test, for tests that send many requests and must survive a
/// request that gets no answer: each exchange is bounded by `timeout`, and a connection that timed out or was closed
/// is replaced for the next request; once `budget` has passed, nothing more is sent, so that a server that stops
/// answering fails the test in bounded time. Counts what it sends. Used from one task at a time.
final class ProbeClient {
    let port: Int
    let timeout: Duration
    private let deadline: ContinuousClock.Instant
    private let client: HTTPClient
    private var connection: HTTPClientConnection?
    private var outOfTime = false
    /// How many requests were sent.
    private(set) var requests = 0

    init(port: Int, timeout: Duration = .seconds(10), budget: Duration = .seconds(40)) throws {
        self.port = port
        self.timeout = timeout
        deadline = .now + budget
        client = try HTTPClient()
    }

    /// Closes the connection and the client.
    func close() async {
        await connection?.close()
        connection = nil
        client.shutdown()
    }

    /// Sends a request with `Authorization: Bearer token` when a token is given and `body` as JSON when one is given;
    /// the response, or `nil` after recording an issue when no complete response came within the timeout.
    func send(
        _ method: HTTPMethod,
        _ target: String,
        token: String? = nil,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> HTTPClientResponse? {
        guard ContinuousClock.now < deadline else {
            if !outOfTime { Issue.record("\(method) \(target): the test's time is up; nothing more is sent", sourceLocation: sourceLocation) }
            outOfTime = true
            return nil
        }
        var fields = headers
        if let token { fields.add(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { fields.add(name: "Content-Type", value: "application/json") }
        requests += 1
        do {
            let open: HTTPClientConnection
            if let connection {
                open = connection
            } else {
                open = try await client.connect(port: port, timeout: timeout)
                connection = open
            }
            let response = try await open.send(method, target, headers: fields, body: body ?? [], timeout: timeout)
            if response.headers.first(name: "Connection")?.lowercased() == "close" {
                await open.close()
                connection = nil
            }
            return response
        } catch {
            Issue.record("\(method) \(target): no answer within \(timeout): \(error)", sourceLocation: sourceLocation)
            await connection?.close()
            connection = nil
            return nil
        }
    }
}
