import Commerce
import Foundation
import Messaging
import PaymentsAPI
import ServiceKit
import Storage

/// Reading Payments' rows back as its API's values, and writing an intent's state, movements and events.
extension SQLitePaymentsService {
    // MARK: - Intents

    /// One intent with its refunds, or `nil`.
    static func intent(_ id: PaymentIntentID, in connection: Connection) throws -> PaymentIntent? {
        guard let row = try connection.queryFirst("SELECT * FROM payment_intent WHERE id = ?", [id.rawValue]) else { return nil }
        return try decodeIntent(row, in: connection)
    }

    /// One intent that must exist.
    /// - Throws: ``PaymentsAPI/PaymentsError/paymentNotFound(_:)``.
    static func requireIntent(_ id: PaymentIntentID, in connection: Connection) throws -> PaymentIntent {
        guard let intent = try intent(id, in: connection) else { throw PaymentsError.paymentNotFound(id) }
        return intent
    }

    /// The intent of an order, or `nil`.
    static func intent(ofOrder orderId: OrderID, in connection: Connection) throws -> PaymentIntent? {
        guard let row = try connection.queryFirst("SELECT * FROM payment_intent WHERE order_id = ?", [orderId.rawValue]) else { return nil }
        return try decodeIntent(row, in: connection)
    }

    /// An intent from its `payment_intent` row, with its refunds read from `connection`.
    static func decodeIntent(_ row: Row, in connection: Connection) throws -> PaymentIntent {
        let id = PaymentIntentID(rawValue: try row["id"])
        let currency: String = try row["currency"]
        func money(_ column: String) throws -> Money { Money(minorUnits: try row[column], currency: currency) }
        let status: String = try row["status"]
        guard let decoded = PaymentIntentStatus(rawValue: status) else { throw UnknownValue(row: "payment \(id.rawValue)", value: status) }
        var card: CardSummary?
        if let brand: String = try row["card_brand"] {
            card = CardSummary(
                brand: CardBrand(rawValue: brand) ?? .unknown,
                last4: try row["card_last4"],
                expMonth: try row["card_exp_month"],
                expYear: try row["card_exp_year"],
                fingerprint: try row["card_fingerprint"]
            )
        }
        return PaymentIntent(
            id: id,
            orderId: (try row["order_id"] as String?).map(OrderID.init(rawValue:)),
            subscriptionId: (try row["subscription_id"] as String?).map(SubscriptionID.init(rawValue:)),
            customerId: (try row["customer_id"] as String?).map(CustomerID.init(rawValue:)),
            amount: try money("amount"),
            amountCapturable: try money("amount_capturable"),
            amountCaptured: try money("amount_captured"),
            amountRefunded: try money("amount_refunded"),
            status: decoded,
            card: card,
            lastDecline: try decline(row["decline_code"]),
            cancellationReason: (try row["cancellation_reason"] as String?).flatMap(CancellationReason.init(rawValue:)),
            captureBefore: (try row["capture_before_us"] as Int64?).map(date(microseconds:)),
            refunds: try refunds(of: id, currency: currency, in: connection),
            createdAt: date(microseconds: try row["created_us"]),
            updatedAt: date(microseconds: try row["updated_us"])
        )
    }

    /// An intent's refunds, oldest first.
    static func refunds(of id: PaymentIntentID, currency: String, in connection: Connection) throws -> [Refund] {
        try connection.query(
            "SELECT id, amount, status, failure_reason, created_us FROM refund WHERE intent_id = ? ORDER BY seq",
            [id.rawValue]
        ).map { row in
            let status: String = try row["status"]
            guard let decoded = RefundStatus(rawValue: status) else { throw UnknownValue(row: "refund of \(id.rawValue)", value: status) }
            return Refund(
                id: RefundID(rawValue: try row["id"]),
                amount: Money(minorUnits: try row["amount"], currency: currency),
                status: decoded,
                failureReason: try row["failure_reason"],
                createdAt: date(microseconds: try row["created_us"])
            )
        }
    }

    /// A stored decline code as the decline, `nil` when there is none.
    static func decline(_ code: String?) throws -> Decline? {
        guard let code else { return nil }
        guard let decoded = DeclineCode(rawValue: code) else { throw UnknownValue(row: "a decline", value: code) }
        return Decline(code: decoded)
    }

    /// Inserts a new intent in `state`, paid with `card`.
    static func insert(
        _ state: IntentState,
        orderId: OrderID?,
        subscriptionId: SubscriptionID?,
        customerId: CustomerID?,
        card: CardSummary,
        at stamp: Int64,
        in connection: Connection
    ) throws {
        try connection.execute(
            """
            INSERT INTO payment_intent (
                id, order_id, subscription_id, customer_id, currency, amount, amount_capturable, amount_captured, amount_refunded,
                status, card_brand, card_last4, card_exp_month, card_exp_year, card_fingerprint, decline_code, cancellation_reason,
                capture_before_us, created_us, updated_us
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                state.id.rawValue, orderId?.rawValue, subscriptionId?.rawValue, customerId?.rawValue, state.currency, state.amount,
                state.capturable, state.captured, state.refunded, state.status.rawValue, card.brand.rawValue, card.last4, card.expMonth,
                card.expYear, card.fingerprint, state.lastDecline?.code.rawValue, state.cancellationReason?.rawValue,
                state.captureBefore.map(microseconds), stamp, stamp,
            ]
        )
    }

    /// Stores an intent's new state; `card` and `customerId`, when given, replace the stored ones (another card tried).
    static func update(
        _ state: IntentState,
        card: CardSummary? = nil,
        customerId: CustomerID? = nil,
        at stamp: Int64,
        in connection: Connection
    ) throws {
        try connection.execute(
            """
            UPDATE payment_intent SET
                currency = :currency, amount = :amount, amount_capturable = :capturable, amount_captured = :captured,
                amount_refunded = :refunded, status = :status, decline_code = :decline, cancellation_reason = :reason,
                capture_before_us = :before, updated_us = :now,
                customer_id = coalesce(:customer, customer_id),
                card_brand = coalesce(:brand, card_brand), card_last4 = coalesce(:last4, card_last4),
                card_exp_month = coalesce(:month, card_exp_month), card_exp_year = coalesce(:year, card_exp_year),
                card_fingerprint = coalesce(:fingerprint, card_fingerprint)
            WHERE id = :id
            """,
            [
                "currency": state.currency, "amount": state.amount, "capturable": state.capturable, "captured": state.captured,
                "refunded": state.refunded, "status": state.status.rawValue, "decline": state.lastDecline?.code.rawValue,
                "reason": state.cancellationReason?.rawValue, "before": state.captureBefore.map(microseconds), "now": stamp,
                "customer": customerId?.rawValue, "brand": card?.brand.rawValue, "last4": card?.last4, "month": card?.expMonth,
                "year": card?.expYear, "fingerprint": card?.fingerprint, "id": state.id.rawValue,
            ]
        )
    }

    /// Appends `movements` of an intent to the ledger.
    static func record(
        _ movements: [IntentState.Movement],
        of id: PaymentIntentID,
        currency: String,
        refund: RefundID? = nil,
        at stamp: Int64,
        in connection: Connection
    ) throws {
        for movement in movements {
            try connection.execute(
                "INSERT INTO ledger (intent_id, kind, amount, currency, refund_id, at_us) VALUES (?, ?, ?, ?, ?, ?)",
                [id.rawValue, movement.kind, movement.amount, currency, refund?.rawValue, stamp]
            )
        }
    }

    // MARK: - Events

    /// What happened to an intent, for its event.
    enum IntentEvent: Sendable {
        case authorized
        case captured(Money)
        case voided
        case expired
        case refunded(RefundID)
        case refundFailed(RefundID)
    }

    /// Writes the event of `change` to `intent` (as it is after the change) into the outbox; its subject is the
    /// order, or the intent itself for a subscription's charge.
    func enqueue(_ change: IntentEvent, _ intent: PaymentIntent, at time: Date, in connection: Connection) throws {
        let subject = intent.orderId?.rawValue ?? intent.id.rawValue
        func refund(_ id: RefundID) throws -> Refund {
            guard let refund = intent.refunds.first(where: { $0.id == id }) else {
                throw UnknownValue(row: "payment \(intent.id.rawValue)", value: id.rawValue)
            }
            return refund
        }
        let envelope =
            switch change {
            case .authorized: try Envelope(PaymentAuthorized(intent: intent), source: Self.source, subject: subject, time: time)
            case .captured(let amount):
                try Envelope(PaymentCaptured(intent: intent, amount: amount), source: Self.source, subject: subject, time: time)
            case .voided: try Envelope(PaymentVoided(intent: intent), source: Self.source, subject: subject, time: time)
            case .expired: try Envelope(AuthorizationExpired(intent: intent), source: Self.source, subject: subject, time: time)
            case .refunded(let id):
                try Envelope(PaymentRefunded(intent: intent, refund: try refund(id)), source: Self.source, subject: subject, time: time)
            case .refundFailed(let id):
                try Envelope(RefundFailed(intent: intent, refund: try refund(id)), source: Self.source, subject: subject, time: time)
            }
        try outbox.enqueue(envelope, in: connection)
    }

    /// Writes a subscription event into the outbox; its subject is the customer.
    func enqueue<E: DomainEvent>(_ event: E, customer: CustomerID, at time: Date, in connection: Connection) throws {
        try outbox.enqueue(Envelope(event, source: Self.source, subject: customer.rawValue, time: time), in: connection)
    }

    // MARK: - The simulated network's vault

    /// The behaviour the vault keeps for a card; the first time the card is seen it is `first`, derived from the
    /// number, and kept.
    static func vault(_ fingerprint: String, first: CardBehaviour, in connection: Connection) throws -> CardBehaviour {
        if let known = try behaviour(of: fingerprint, in: connection) { return known }
        try connection.execute("INSERT INTO card_vault (fingerprint, behaviour) VALUES (?, ?)", [fingerprint, first.storage])
        return first
    }

    /// The behaviour the vault keeps for a card, `nil` for a card the network never saw.
    static func behaviour(of fingerprint: String, in connection: Connection) throws -> CardBehaviour? {
        guard let text = try connection.scalar(String.self, "SELECT behaviour FROM card_vault WHERE fingerprint = ?", [fingerprint]) else {
            return nil
        }
        guard let behaviour = CardBehaviour(storage: text) else { throw UnknownValue(row: "a vaulted card", value: text) }
        return behaviour
    }

    // MARK: - Subscriptions

    /// A customer's latest subscription (the running one, if any), or `nil`.
    static func latestSubscription(of customer: CustomerID, in connection: Connection) throws -> SubscriptionRow? {
        try connection.fetchOne(
            SubscriptionRow.self,
            "SELECT * FROM subscription WHERE customer_id = ? ORDER BY seq DESC LIMIT 1",
            [customer.rawValue]
        )
    }

    /// One subscription that must exist.
    static func requireSubscription(_ id: SubscriptionID, in connection: Connection) throws -> SubscriptionRow {
        guard let row = try connection.fetchOne(SubscriptionRow.self, "SELECT * FROM subscription WHERE id = ?", [id.rawValue]) else {
            throw UnknownValue(row: "subscription", value: id.rawValue)
        }
        return row
    }

    // MARK: - Time

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// A new identifier with Stripe's kind of prefix: `pi`, `re`, `sub`.
    static func makeID(_ prefix: String) -> String {
        prefix + "_" + EventID.make().filter { $0 != "-" }
    }
}

/// A `subscription` row: the API's value and what renewals need besides.
struct SubscriptionRow: RowDecodable {
    /// The subscription.
    let subscription: PaymentsAPI.Subscription
    /// When its periods are counted from.
    let anchor: Date
    /// How many periods were paid.
    let periods: Int

    init(row: Row) throws {
        let id = SubscriptionID(rawValue: try row["id"])
        let status: String = try row["status"]
        let plan: String = try row["plan"]
        guard let decodedStatus = SubscriptionStatus(rawValue: status) else { throw UnknownValue(row: "subscription \(id.rawValue)", value: status) }
        guard let decodedPlan = Plan(rawValue: plan) else { throw UnknownValue(row: "subscription \(id.rawValue)", value: plan) }
        subscription = PaymentsAPI.Subscription(
            id: id,
            customerId: CustomerID(rawValue: try row["customer_id"]),
            plan: decodedPlan,
            status: decodedStatus,
            card: CardSummary(
                brand: CardBrand(rawValue: try row["card_brand"]) ?? .unknown,
                last4: try row["card_last4"],
                expMonth: try row["card_exp_month"],
                expYear: try row["card_exp_year"],
                fingerprint: try row["card_fingerprint"]
            ),
            currentPeriodStart: SQLitePaymentsService.date(microseconds: try row["current_period_start_us"]),
            currentPeriodEnd: SQLitePaymentsService.date(microseconds: try row["current_period_end_us"]),
            failedRenewals: try row["failed_renewals"],
            nextRetryAt: (try row["next_retry_us"] as Int64?).map(SQLitePaymentsService.date(microseconds:)),
            lastDecline: try SQLitePaymentsService.decline(row["decline_code"]),
            createdAt: SQLitePaymentsService.date(microseconds: try row["created_us"]),
            endedAt: (try row["ended_us"] as Int64?).map(SQLitePaymentsService.date(microseconds:))
        )
        anchor = SQLitePaymentsService.date(microseconds: try row["anchor_us"])
        periods = try row["periods"]
    }
}

/// A stored value this build does not know: written by a newer build, or damaged.
struct UnknownValue: Error, CustomStringConvertible {
    /// The row, such as `payment pi_1`.
    let row: String
    /// The value found.
    let value: String
    var description: String { "\(row) has the unknown value '\(value)'" }
}
