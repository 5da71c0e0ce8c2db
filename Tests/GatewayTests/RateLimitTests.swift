import Gateway
import HTTP
import ServiceKit
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
