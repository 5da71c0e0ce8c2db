import Commerce
import Foundation
import Messaging
import ModuleKit
import Payments
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry

/// Payments figures: authorise-and-capture pairs per second through the call pipeline (direct transport, as
/// `emporium serve` runs), from one caller and from eight at once, against the module wired as it runs (its own
/// file, its background services, idempotency keys, ledger and outbox). Each pair is two idempotent calls, each
/// two write transactions: the key's claim, then the change with its ledger rows, event and stored reply.
struct PaymentsSuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        try await reportMedian("payments.authorize-capture.1-task", unit: "pairs/s", options: options) {
            try await pairs(tasks: 1, options: options)
        }
        try await reportMedian("payments.authorize-capture.8-tasks", unit: "pairs/s", options: options) {
            try await pairs(tasks: 8, options: options)
        }
    }

    /// Authorise-and-capture pairs of new orders from `tasks` tasks for one run's duration, on a fresh data
    /// directory; afterwards every pair must have held and captured once, and the ledger must agree.
    private func pairs(tasks: Int, options: BenchmarkOptions) async throws -> Double {
        let scratch = try ScratchDirectory()
        defer { _ = scratch }
        let metrics = MetricsRegistry()
        let registry = ServiceRegistry()
        let client = ServiceClient(registry: registry, transport: InProcessTransport(mode: .direct), metrics: metrics)
        let bus = InProcessMessageBus(metrics: metrics)
        // Lines are formatted as `serve` formats them at its default level, then dropped.
        let logger = Logger(label: "bench", handler: JSONLinesLogHandler(output: LogOutput { _ in }, logLevel: .info))
        let host = try await ModuleHost(
            modules: [.payments],
            configuration: ModuleHost.Configuration(dataDirectory: scratch.url.path, signingSecret: Array(repeating: 7, count: 32), version: "bench"),
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            logger: logger
        )
        defer { host.close() }
        let payments = PaymentsClient(client: client)
        let card = CardDetails(number: "4242424242424242", expMonth: 12, expYear: 2099, cvc: "123")
        let amount = Money(minorUnits: 4999, currency: "EUR")
        return try await withThrowingTaskGroup(of: Void.self) { services in
            for service in [bus] + host.services {
                services.addTask { try await service.run() }
            }
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start + options.runDuration
            let count = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var count = 0
                        repeat {
                            let order = OrderID(rawValue: "o-\(task)-\(count)")
                            let authorization = AuthorizationRequest(
                                orderId: order,
                                customerId: CustomerID(rawValue: "c-\(task)"),
                                amount: amount,
                                card: card
                            )
                            let intent = try await payments.authorize(
                                IdempotentRequest(key: try IdempotencyKey("a-\(order)"), caller: nil, body: authorization)
                            )
                            let capture = CaptureRequest(intentId: intent.body.id)
                            _ = try await payments.capture(IdempotentRequest(key: try IdempotencyKey("c-\(order)"), caller: nil, body: capture))
                            count += 1
                        } while clock.now < deadline
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = (clock.now - start) / .seconds(1)
            let check = try await payments.checkLedger()
            let captured = try await host.modules[0].database.read { connection in
                try connection.scalar(Int.self, "SELECT count(*) FROM payment_intent WHERE status = 'succeeded'") ?? 0
            }
            services.cancelAll()
            try? await services.waitForAll()
            guard check.isConsistent, captured == count, check.movements == 2 * count else {
                Progress.fail("\(count) pairs left \(captured) intents captured and \(check.movements) movements: \(check.discrepancies)")
            }
            return Double(count) / elapsed
        }
    }
}
