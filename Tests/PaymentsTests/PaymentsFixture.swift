import Commerce
import Foundation
import Messaging
import ModuleKit
import Payments
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import TestSupport

/// Stripe's test card numbers.
enum TestCard {
    static let visa = "4242424242424242"
    static let declined = "4000000000000002"
    static let insufficientFunds = "4000000000009995"
    static let lostCard = "4000000000009987"
    static let stolenCard = "4000000000009979"
    static let expiredCard = "4000000000000069"
    static let incorrectCVC = "4000000000000127"
    static let processingError = "4000000000000119"
    static let refundsFail = "4000000000005126"
    static let mastercard = "5555555555554444"
    static let amex = "378282246310005"
}

/// The payments module alone, through the wiring it runs with: its own database file, the serialized transport, a
/// real bus, and its background passes on a clock the test moves. Its wall clock starts on 31 January 2026 at
/// 10:00 UTC.
struct PaymentsFixture {
    let harness: ModuleHarness
    let payments: PaymentsClient
    let clock: ManualClock

    /// 2026-01-31T10:00:00Z: the end of a month, so calendar periods can be seen not to drift.
    static let start = Date(timeIntervalSince1970: 1_769_853_600)
    /// The signing secret the harness wires modules with, the key of card fingerprints.
    static let secret = [UInt8](repeating: 7, count: 32)

    @discardableResult
    static func with<Result: Sendable>(
        settings: [String: String] = [:],
        logs: LogOutput? = nil,
        _ body: (PaymentsFixture) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        return try await ModuleHarness.run(.payments(clock: clock, startingAt: start), settings: ModuleSettings(settings), logs: logs) { harness in
            let fixture = PaymentsFixture(harness: harness, payments: PaymentsClient(client: harness.client), clock: clock)
            // The sweeper's first pass is done and it waits on the clock, as does the key purger.
            try await clock.waitForSleepers(count: 2)
            return try await body(fixture)
        }
    }

    /// Moves the clock on by `duration` and returns once the background passes that came due are done.
    func advance(by duration: Duration) async throws {
        try await clock.waitForSleepers(count: 2)
        clock.advance(by: duration)
        try await clock.waitForSleepers(count: 2)
    }

    /// The module's time now.
    var now: Date { Self.start.addingTimeInterval((clock.now - .origin) / .seconds(1)) }

    /// The service over the module's database, for what is not an endpoint (the simulated network's vault).
    var service: SQLitePaymentsService {
        SQLitePaymentsService(
            database: harness.database,
            outbox: harness.module.context.outbox,
            signingSecret: Self.secret,
            logger: Logger(label: "payments-test", handler: JSONLinesLogHandler(output: .memory(), logLevel: .critical))
        )
    }

    // MARK: - Requests

    /// A fresh idempotency key.
    static func key() -> IdempotencyKey { IdempotencyKey(rawValue: UUID().uuidString)! }

    /// `body` under `key`, from customer c-1.
    func request<Body>(_ body: Body, key: IdempotencyKey = key()) -> IdempotentRequest<Body> {
        IdempotentRequest(key: key, caller: "c-1", body: body)
    }

    /// Authorises `amount` cents of EUR for `order` on `number`.
    func authorize(
        _ order: OrderID,
        _ number: String = TestCard.visa,
        amount: Int64 = 5000,
        customer: CustomerID? = "c-1",
        cvc: String = "123",
        key: IdempotencyKey = key()
    ) async throws -> PaymentIntent {
        try await payments.authorize(request(authorization(order, number, amount: amount, customer: customer, cvc: cvc), key: key)).body
    }

    /// An authorisation request.
    func authorization(
        _ order: OrderID,
        _ number: String,
        amount: Int64 = 5000,
        customer: CustomerID? = "c-1",
        cvc: String = "123"
    )
        -> AuthorizationRequest
    {
        AuthorizationRequest(orderId: order, customerId: customer, amount: euros(amount), card: card(number, cvc: cvc))
    }

    func capture(_ id: PaymentIntentID, _ amount: Int64? = nil, key: IdempotencyKey = key()) async throws -> PaymentIntent {
        try await payments.capture(request(CaptureRequest(intentId: id, amount: amount.map(euros)), key: key)).body
    }

    func refund(_ id: PaymentIntentID, _ amount: Int64? = nil, key: IdempotencyKey = key()) async throws -> PaymentIntent {
        try await payments.refund(request(RefundRequest(intentId: id, amount: amount.map(euros)), key: key)).body
    }

    func cancel(_ id: PaymentIntentID, reason: CancellationReason = .requestedByCustomer, key: IdempotencyKey = key()) async throws -> PaymentIntent {
        try await payments.cancel(request(CancellationRequest(intentId: id, reason: reason), key: key)).body
    }

    func subscribe(_ customer: CustomerID, _ number: String = TestCard.visa, key: IdempotencyKey = key()) async throws -> PaymentsAPI.Subscription {
        try await payments.subscribe(request(SubscriptionRequest(customerId: customer, plan: .plus, card: card(number)), key: key)).body
    }

    // MARK: - What the module wrote

    /// The events in the outbox, in commit order.
    func events() async throws -> [Envelope] {
        try await harness.database.read { connection in
            try connection.query("SELECT type, subject, data FROM outbox ORDER BY seq").map { row in
                Envelope(source: "/emporium/payments", type: try row["type"], subject: try row["subject"], data: try row["data"])
            }
        }
    }

    /// The types of the events about `subject`, in commit order.
    func eventTypes(about subject: String) async throws -> [String] {
        try await events().filter { $0.subject == subject }.map(\.type)
    }

    /// An intent's ledger rows as (kind, minor units), in order.
    func ledger(_ id: PaymentIntentID) async throws -> [Movement] {
        try await harness.database.read { connection in
            try connection.query("SELECT kind, amount FROM ledger WHERE intent_id = ? ORDER BY seq", [id.rawValue]).map {
                Movement(kind: try $0["kind"], amount: try $0["amount"])
            }
        }
    }

    /// The number a query of the test's own (`SELECT count(*) FROM ledger`) answers.
    func number(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await harness.database.read { try $0.scalar(Int.self, sql, arguments) ?? 0 }
    }
}

/// A ledger row.
struct Movement: Hashable, CustomStringConvertible {
    let kind: String
    let amount: Int64
    var description: String { "\(kind) \(amount)" }
}

/// `minorUnits` cents of EUR.
func euros(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: "EUR") }

/// A card expiring in December 2029.
func card(_ number: String, cvc: String = "123", month: Int = 12, year: Int = 2029) -> CardDetails {
    CardDetails(number: number, expMonth: month, expYear: year, cvc: cvc)
}
