import Gateway
import HTTP
import Telemetry
import TestSupport
import Testing

@Suite struct ObservabilityTests {
    @Test func aValidRequestIdIsEchoedAndAnInvalidOneReplaced() async throws {
        try await GatewayHarness.with { harness in
            let echoed = try await harness.get("/api/v1/items/lamp", headers: ["X-Request-Id": "abc-123"])
            #expect(echoed.headers.first(name: "X-Request-Id") == "abc-123")

            let tooLong = String(repeating: "x", count: 129)
            let replaced = try await harness.get("/api/v1/items/lamp", headers: ["X-Request-Id": tooLong])
            let generated = try #require(replaced.headers.first(name: "X-Request-Id"))
            #expect(generated != tooLong && generated.count == 32)

            let none = try await harness.get("/nowhere")
            #expect(none.headers.first(name: "X-Request-Id")?.count == 32)
            #expect(none.problem?.requestId == none.headers.first(name: "X-Request-Id"))
        }
    }

    @Test func anIncomingTraceparentIsContinuedByAServerSpanWhoseTraceparentIsReturned() async throws {
        try await GatewayHarness.with { harness in
            let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let response = try await harness.get("/api/v1/items/lamp", headers: ["traceparent": incoming])
            let returned = try #require(response.headers.first(name: "traceparent").flatMap(TraceParent.init))
            #expect(returned.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(returned.spanID.description != "00f067aa0ba902b7")

            let traceID = try #require(TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736"))
            let found = await waitUntil(timeout: .seconds(30)) {
                harness.tracer.store.trace(id: traceID)?.spans.contains { $0.kind == .server && $0.operationName == "GET /api/v1/items/{id}" } == true
            }
            #expect(found)

            let fresh = try await harness.get("/api/v1/items/lamp")
            #expect(fresh.headers.first(name: "traceparent").flatMap(TraceParent.init) != nil)
        }
    }

    @Test func everyRequestWritesOneAccessLogLine() async throws {
        let records = RecordingLogHandler.Records()
        try await GatewayHarness.with(logRecords: records) { harness in
            let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            _ = try await harness.get("/api/v1/items/lamp?x=1", headers: ["X-Request-Id": "req-1", "traceparent": incoming])
            _ = try await harness.get("/nowhere", headers: ["X-Request-Id": "req-2"])

            let lines = records.all.filter { $0.message.description == "request" }
            #expect(lines.count == 2)
            let first = try #require(lines.first { $0.metadata?["request_id"] == "req-1" })
            #expect(first.metadata?["method"] == "GET")
            #expect(first.metadata?["path"] == "/api/v1/items/lamp")
            #expect(first.metadata?["route"] == "/api/v1/items/{id}")
            #expect(first.metadata?["status"] == "200")
            #expect(first.metadata?["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(first.metadata?["duration_ms"] != nil)
            let second = try #require(lines.first { $0.metadata?["request_id"] == "req-2" })
            #expect(second.metadata?["route"] == "unmatched")
            #expect(second.metadata?["status"] == "404")
        }
    }
}
