import Gateway
import HTTP
import ServiceKit
import Testing

@Suite struct OperationsTests {
    @Test func healthIsAlwaysOk() async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.get("/health")
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok"}"#)
        }
    }

    @Test func readyTurns503WhenAServiceHasNoHealthyInstance() async throws {
        try await GatewayHarness.with { harness in
            let ready = try await harness.get("/ready")
            #expect(ready.status == .ok)
            #expect(ready.text.contains(#""status":"ready""#))

            harness.registry.setHealth(.unhealthy, of: "items-1")
            let notReady = try await harness.get("/ready")
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady.text.contains(#""unavailable":["items"]"#))

            harness.registry.setHealth(.healthy, of: "items-1")
            #expect(try await harness.get("/ready").status == .ok)
        }
    }

    @Test func metricsArePrometheusTextWithPerRouteSamples() async throws {
        try await GatewayHarness.with { harness in
            _ = try await harness.get("/api/v1/items/lamp")
            _ = try await harness.get("/api/v1/nothing")
            _ = try await harness.send("FROB", "/api/v1/items/lamp")
            let response = try await harness.get("/metrics")
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = response.text.split(separator: "\n")
            for line in lines where !line.hasPrefix("#") {
                // name{label="value",...} value, with quoted values that may hold braces and escapes.
                let sample =
                    /[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? [-+0-9.eEInfNa]+/
                #expect(line.wholeMatch(of: sample) != nil, "\(line)")
            }
            for line in lines where line.hasPrefix("# TYPE") {
                #expect(line.wholeMatch(of: /# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)/) != nil, "\(line)")
            }
            #expect(
                lines.contains {
                    $0.hasPrefix("emporium_http_requests_total{") && $0.contains(#"route="/api/v1/items/{id}""#) && $0.contains(#"status="200""#)
                }
            )
            #expect(
                lines.contains {
                    $0.hasPrefix("emporium_http_requests_total{") && $0.contains(#"route="unmatched""#) && $0.contains(#"status="404""#)
                }
            )
            // Unknown methods share one label value, so clients cannot create series at will.
            #expect(
                lines.contains { $0.hasPrefix("emporium_http_requests_total{") && $0.contains(#"method="OTHER""#) && $0.contains(#"status="405""#) }
            )
            #expect(!lines.contains { $0.contains("FROB") })
            #expect(lines.contains { $0.hasPrefix("emporium_http_request_duration_seconds_bucket{") && $0.contains(#"route="/api/v1/items/{id}""#) })
        }
    }
}
