import ServiceKit

/// Call pipeline figures: what discovery, balancing, breaker, bulkhead, timeout, retry bookkeeping, fault
/// injection and metrics add to an in-process call, in direct and serialized mode.
struct CallsSuite: BenchmarkSuite {
    struct Request: Codable, Sendable {
        let productID: String
        let quantity: Int
    }

    struct Reply: Codable, Sendable {
        let productID: String
        let priceMinorUnits: Int64
        let currency: String
    }

    enum BenchError: ServiceFailure {
        case never

        var problemType: String { "never" }
        var detail: String { "The benchmark's handler never fails." }
    }

    static let endpoint = Endpoint<Request, Reply>("bench.price", idempotent: true, failure: BenchError.self)

    /// The handler's work, kept out of line so the baseline measures a real call.
    @inline(never)
    static func price(_ request: Request) async throws -> Reply {
        Reply(productID: request.productID, priceMinorUnits: 1999 * Int64(request.quantity), currency: "EUR")
    }

    func run(options: BenchmarkOptions) async throws {
        let handler: @Sendable (Request) async throws -> Reply = { request in
            try await Self.price(request)
        }
        var handlers = EndpointHandlers()
        handlers.register(Self.endpoint, handler)
        let registry = ServiceRegistry()
        registry.register(ServiceInstance(service: "bench", id: "bench-1", version: "1", address: .inProcess(handlers)))
        let request = Request(productID: "p-42", quantity: 2)

        var baseline: [Double] = []
        var direct: [Double] = []
        var serialized: [Double] = []
        var deadlineOnly: [Double] = []
        let deadlines = DeadlineTimer()
        let directClient = ServiceClient(registry: registry, transport: InProcessTransport(mode: .direct))
        let serializedClient = ServiceClient(registry: registry, transport: InProcessTransport(mode: .serialized))
        for run in 1...options.runs {
            baseline.append(try await nanosecondsPerCall(options.runDuration) { _ = try await handler(request) })
            direct.append(try await nanosecondsPerCall(options.runDuration) { _ = try await directClient.call(Self.endpoint, request) })
            if options.wants("calls.pipeline.serialized") {
                serialized.append(
                    try await nanosecondsPerCall(options.runDuration) { _ = try await serializedClient.call(Self.endpoint, request) }
                )
            }
            if options.wants("calls.deadline-only") {
                deadlineOnly.append(
                    try await nanosecondsPerCall(options.runDuration) {
                        _ = try await deadlines.withDeadline(Self.endpoint.timeout) { try await handler(request) }
                    }
                )
            }
            Progress.say(
                "  calls run \(run)/\(options.runs): handler \(Int(baseline.last!)) ns, direct \(Int(direct.last!)) ns"
                    + (serialized.last.map { ", serialized \(Int($0)) ns" } ?? "")
                    + (deadlineOnly.last.map { ", deadline only \(Int($0)) ns" } ?? "")
            )
        }
        Progress.figure("calls.handler", median(baseline), "ns/call")
        Progress.figure("calls.pipeline.direct", median(direct), "ns/call")
        Progress.figure("calls.pipeline.direct.overhead", median(zip(direct, baseline).map { $0 - $1 }), "ns/call")
        if !serialized.isEmpty {
            Progress.figure("calls.pipeline.serialized", median(serialized), "ns/call")
        }
        if !deadlineOnly.isEmpty {
            // The timeout alone around the bare handler: the share of the overhead that is the deadline's.
            Progress.figure("calls.deadline-only", median(deadlineOnly), "ns/call")
        }
    }

    /// Sequential calls for `duration`; returns the mean nanoseconds per call.
    private func nanosecondsPerCall(_ duration: Duration, _ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var calls = 0
        repeat {
            for _ in 0..<256 { try await body() }
            calls += 256
        } while clock.now - start < duration
        return (clock.now - start) / .nanoseconds(1) / Double(calls)
    }
}
