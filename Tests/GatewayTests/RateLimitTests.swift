import Foundation
import Gateway
import HTTP
import ServiceKit
import Telemetry
import TestSupport
import Testing

@Suite struct RateLimitTests {
    @Test func aClientGets429WithRetryAfterOnceItsBucketIsEmptyAndIsServedAgainAfterRefill() async throws {
        let configuration = Gateway.Configuration(rateLimits: [RateLimitPolicy(name: "default", limit: 3, window: .seconds(60))])
        try await GatewayHarness.with(configuration: configuration) { harness in
            for remaining in [2, 1, 0] {
                let response = try await harness.get("/api/v1/items/lamp")
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "RateLimit-Policy") == #""default";q=3;w=60"#)
                #expect(response.headers.first(name: "RateLimit")?.hasPrefix(#""default";r=\#(remaining);t="#) == true)
            }
            let limited = try await harness.get("/api/v1/items/lamp")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers.first(name: "Retry-After") == "20")
            #expect(limited.headers.first(name: "RateLimit-Policy") == #""default";q=3;w=60"#)
            #expect(limited.headers.first(name: "RateLimit") == #""default";r=0;t=60"#)
            #expect(limited.problem?.status == 429)
            #expect(limited.problem?.instance == "/api/v1/items/lamp")

            harness.clock.advance(by: .seconds(19))
            #expect(try await harness.get("/api/v1/items/lamp").status == .tooManyRequests)
            harness.clock.advance(by: .seconds(1))
            #expect(try await harness.get("/api/v1/items/lamp").status == .ok)
            #expect(try await harness.get("/api/v1/items/lamp").status == .tooManyRequests)
        }
    }

    @Test func refusalsAreCountedAndLoggedInSummaryNotOneAccessLineEach() async throws {
        let configuration = Gateway.Configuration(rateLimits: [RateLimitPolicy(name: "default", limit: 2, window: .seconds(600))])
        let records = RecordingLogHandler.Records()
        try await GatewayHarness.with(configuration: configuration, logRecords: records) { harness in
            var refused = 0
            for _ in 0..<52 where try await harness.get("/api/v1/items/lamp").status == .tooManyRequests { refused += 1 }
            #expect(refused == 50)
            let accessLines = records.all.filter { $0.message.description == "request" }
            #expect(accessLines.count == 2, "one access line per served request, none per refusal")
            let summaries = records.all.filter { $0.message.description == "requests refused" }
            // The first refusal is logged at once, then at most one line a second with the count since the last.
            #expect((1...3).contains(summaries.count))
            #expect(summaries.first?.metadata?["reason"].map { "\($0)" } == "rate-limited")
            #expect(summaries.first?.metadata?["route"].map { "\($0)" } == "/api/v1/items/{id}")
            let exposition = harness.metrics.exposition()
            #expect(exposition.contains(#"emporium_http_refusals_total{reason="rate-limited",route="/api/v1/items/{id}"} 50"#))
            #expect(exposition.contains(#"emporium_http_requests_total{method="GET",route="/api/v1/items/{id}",status="429"} 50"#))
        }
    }

    @Test func requestsOverTheInFlightLimitAreShedWith503AndRetryAfterWhileProbesStillAnswer() async throws {
        let records = RecordingLogHandler.Records()
        try await GatewayHarness.with(configuration: Gateway.Configuration(maxRequestsInFlight: 1), logRecords: records) { harness in
            let first = try await harness.connect()
            let inFlight = Task { try await first.send(.get, "/api/v1/gated/a", timeout: .seconds(10)) }
            try await waitUntil("the first request waits at the gate") { harness.gate.arrivals == 1 }
            let shed = try await harness.get("/api/v1/items/lamp")
            #expect(shed.status == .serviceUnavailable)
            #expect(shed.headers.first(name: "Retry-After") == "1")
            #expect(shed.problem?.type == "urn:emporium:problem:overloaded")
            #expect(shed.problem?.detail == "The shop is busier than it can serve well right now; try again in a second.")
            #expect(harness.calls["items.get"] == 0, "a shed request does no work")
            #expect(try await harness.get("/health").status == .ok)
            let exposition = harness.metrics.exposition()
            #expect(exposition.contains(#"emporium_http_refusals_total{reason="overloaded",route="/api/v1/items/{id}"} 1"#))
            #expect(exposition.contains("emporium_http_requests_in_flight 1"))
            #expect(!records.all.contains { $0.message.description == "request" && $0.metadata?["status"].map { "\($0)" } == "503" })

            harness.gate.open()
            #expect(try await inFlight.value.status == .ok)
            await first.close()
            #expect(try await harness.get("/api/v1/items/lamp").status == .ok)
        }
    }

    @Test func requestsThatQueuedWhileAQueueStoodAreShedAndTheServerAdmitsAgainOnceItIsGone() async throws {
        // Each request holds its event loop's thread for 4 ms, as a handler doing work would: sixteen connections
        // sending without pause make every request wait for the others on its loop, far over the 2 ms target.
        let configuration = Gateway.Configuration(maxRequestsInFlight: 256, admissionQueueTarget: .milliseconds(2))
        let busy: @Sendable (inout Gateway, GatewayHarnessParts) -> Void = { gateway, _ in
            gateway.route(.get, "/api/v1/busy", rateLimitClass: nil) { _ in
                let until = ContinuousClock.now + .milliseconds(4)
                while ContinuousClock.now < until {}
                return "done"
            }
        }
        try await GatewayHarness.with(configuration: configuration, configure: busy) { harness in
            let connections = try await withThrowingTaskGroup(of: HTTPClientConnection.self) { group in
                for _ in 0..<16 { group.addTask { try await harness.connect() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let shed = CallRecorder<HTTPClientResponse>()
            let served = CallRecorder<Int>()
            let deadline = ContinuousClock.now + .seconds(20)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in connections {
                    group.addTask {
                        while shed.values.count < 20 && ContinuousClock.now < deadline {
                            let response = try await connection.send(.get, "/api/v1/busy", timeout: .seconds(30))
                            if response.status == .serviceUnavailable { shed.record(response) } else { served.record(response.status.code) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(shed.values.count >= 20, "requests were shed while the queue stood")
            #expect(shed.values.allSatisfy { $0.problem?.type == "urn:emporium:problem:overloaded" && $0.headers.first(name: "Retry-After") == "1" })
            #expect(served.values.allSatisfy { $0 == 200 }, "what was admitted was answered")
            #expect(served.values.count > 0, "a queue is shed only once it has stood: the first requests were served")
            // The load has stopped: after a pause longer than the interval, a request is judged afresh.
            let quiet = ContinuousClock.now
            try await waitUntil("the queue's interval has passed") { ContinuousClock.now - quiet > .milliseconds(50) }
            #expect(try await connections[0].send(.get, "/api/v1/busy").status == .ok)
            for connection in connections { await connection.close() }
        }
    }

    @Test func problemBodiesAreWrittenAsJSONThatDecodesToTheSameProblem() throws {
        let problem = Problem(
            status: .unprocessableContent,
            type: Problem.type("validation-failed"),
            detail: "The name \"Straße\" \\ is\twrong\n, and so is \u{1}.",
            instance: "/api/v1/items/a/b",
            requestId: "r-1",
            errors: [FieldError(field: "name", message: "must not be \"x\""), FieldError(field: "price.currency", message: "is unknown")]
        )
        guard case .bytes(let body) = problem.response().body else {
            Issue.record("a problem has its body in full")
            return
        }
        #expect(try JSONDecoder().decode(Problem.self, from: Data(body)) == problem)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"detail":"#) && text.hasSuffix(#""type":"urn:emporium:problem:validation-failed"}"#))
        #expect(text.contains("/api/v1/items/a/b"), "slashes are not escaped")
        guard case .bytes(let plain) = Problem(status: .tooManyRequests).response().body else { return }
        #expect(plain == Array(#"{"status":429,"title":"Too Many Requests","type":"urn:emporium:problem:rate-limited"}"#.utf8))
    }

    @Test func authenticatedClientsAreLimitedBySubjectNotByAddress() async throws {
        let configuration = Gateway.Configuration(rateLimits: [RateLimitPolicy(name: "default", limit: 1, window: .seconds(10))])
        try await GatewayHarness.with(configuration: configuration) { harness in
            let anonymous = try await harness.get("/api/v1/items/lamp")
            #expect(anonymous.status == .ok)
            #expect(try await harness.get("/api/v1/items/lamp").status == .tooManyRequests)
            // Same address, but a principal: its own bucket.
            let authorized: HTTPHeaders = ["Authorization": "Bearer customer-token"]
            #expect(try await harness.get("/api/v1/me/items/lamp", headers: authorized).status == .ok)
            #expect(try await harness.get("/api/v1/me/items/lamp", headers: authorized).status == .tooManyRequests)
        }
    }

    @Test func theBucketRefillsContinuouslyAndNeverAboveCapacity() {
        var bucket = TokenBucket(capacity: 2, window: .seconds(10), now: .origin)
        #expect(bucket.take(now: .origin).allowed)
        #expect(bucket.take(now: .origin).allowed)
        let refused = bucket.take(now: .origin)
        #expect(!refused.allowed)
        #expect(refused.retryAfter == .seconds(5))
        #expect(bucket.take(now: .origin + .seconds(5)).allowed)
        #expect(bucket.isIdle(now: .origin + .seconds(100)))
        let later = bucket.take(now: .origin + .seconds(100))
        #expect(later.allowed && later.remaining == 1)
    }

    @Test func idleBucketsAreEvictedToStayWithinTheBound() {
        let clock = ManualClock()
        let limiter = RateLimiter(policies: [RateLimitPolicy(name: "default", limit: 5, window: .seconds(1))], maxBuckets: 100, clock: clock)
        for client in 0..<100 { _ = limiter.take(client: "client-\(client)", policy: "default") }
        #expect(limiter.bucketCount == 100)
        clock.advance(by: .seconds(2))
        _ = limiter.take(client: "newcomer", policy: "default")
        #expect(limiter.bucketCount == 1)
        for client in 0..<1000 { _ = limiter.take(client: "busy-\(client)", policy: "default") }
        #expect(limiter.bucketCount <= 100)
    }
}
