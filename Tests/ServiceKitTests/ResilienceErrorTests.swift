import ServiceKit
import Testing

@Suite("Resilience errors")
struct ResilienceErrorTests {
    @Test("each error carries the details of its case and none of the others")
    func details() {
        let open = ResilienceError.circuitOpen(service: "payments", retryAfter: .seconds(30))
        #expect(open.code == .circuitOpen)
        #expect(open.service == "payments")
        #expect(open.retryAfter == .seconds(30))
        #expect(open.timeout == nil)
        #expect(open.underlyingError == nil)

        let exhausted = ResilienceError.retriesExhausted(attempts: 3, lastError: TestFailure())
        #expect(exhausted.code == .retriesExhausted)
        #expect(exhausted.attempts == 3)
        #expect(exhausted.underlyingError is TestFailure)
        #expect(exhausted.service == nil)
    }

    @Test("codes and descriptions are stable text for logs")
    func descriptions() {
        #expect(ResilienceError.Code.noHealthyInstance.description == "no-healthy-instance")
        #expect(ResilienceError.bulkheadFull(service: "cart").description == "bulkhead for cart is full")
        #expect(
            ResilienceError.timeout(endpoint: "catalog.product", after: .seconds(2)).description
                == "call to catalog.product timed out after 2.0 seconds"
        )
        #expect(ResilienceError.noHealthyInstance(service: "search").code != .timeout)
    }
}
