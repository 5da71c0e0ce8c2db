public import Commerce
import Foundation
public import PaymentsAPI
import Security
public import ServiceKit
import Storage

/// Reading: one intent, pages of intents, a customer's data, and the ledger check.
extension SQLitePaymentsService {
    public func payment(_ id: PaymentIntentID) async throws -> PaymentIntent {
        try await database.read { try Self.requireIntent(id, in: $0) }
    }

    public func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        guard (1...100).contains(query.limit) else { throw PaymentsError.invalid("limit must be from 1 to 100", field: "limit") }
        var after: (Int64, String)?
        // An empty cursor is no cursor, as `?cursor=` from a form means the first page.
        if let cursor = query.cursor, !cursor.isEmpty {
            guard let decoded = Self.decodeCursor(cursor) else {
                throw PaymentsError.invalid("cursor is not one this service gave out; start again without it", field: "cursor")
            }
            after = decoded
        }
        let limit = query.limit
        let start = after
        return try await database.read { connection in
            let rows = try connection.query(
                """
                SELECT * FROM payment_intent
                WHERE (:order IS NULL OR order_id = :order) AND (:customer IS NULL OR customer_id = :customer)
                    AND (:created IS NULL OR (created_us, id) < (:created, :id))
                ORDER BY created_us DESC, id DESC LIMIT :limit
                """,
                [
                    "order": query.orderId?.rawValue, "customer": query.customerId?.rawValue, "created": start?.0, "id": start?.1,
                    "limit": limit + 1,
                ]
            )
            let items = try rows.prefix(limit).map { try Self.decodeIntent($0, in: connection) }
            let next = rows.count > limit ? items.last.map { Self.cursor(after: $0) } : nil
            return PaymentPage(items: items, nextCursor: next)
        }
    }

    public func customerPayments(_ customerId: CustomerID) async throws -> CustomerPayments {
        try await database.read { connection in
            let intents = try connection.query(
                "SELECT * FROM payment_intent WHERE customer_id = ? ORDER BY created_us DESC, id DESC",
                [customerId.rawValue]
            ).map { try Self.decodeIntent($0, in: connection) }
            return CustomerPayments(subscription: try Self.latestSubscription(of: customerId, in: connection)?.subscription, payments: intents)
        }
    }

    public func checkLedger() async throws -> PaymentLedgerCheck {
        try await database.read { connection in
            var discrepancies: [String] = []
            var checked = 0
            var movements = 0
            // Each intent with the sums of its movements by kind and of its refunds that still count; one row at a
            // time, so the check needs no memory for the ledger's size.
            try connection.forEach(
                """
                SELECT p.id, p.currency, p.amount_capturable, p.amount_captured, p.amount_refunded,
                    coalesce(l.movements, 0) AS movements, coalesce(l.hold, 0) AS hold, coalesce(l.capture, 0) AS capture,
                    coalesce(l.release, 0) AS release, coalesce(l.refund, 0) AS refund, coalesce(l.refund_failed, 0) AS refund_failed,
                    coalesce(r.total, 0) AS refunds
                FROM payment_intent AS p
                LEFT JOIN (
                    SELECT intent_id, count(*) AS movements,
                        sum(CASE kind WHEN 'hold' THEN amount ELSE 0 END) AS hold,
                        sum(CASE kind WHEN 'capture' THEN amount ELSE 0 END) AS capture,
                        sum(CASE kind WHEN 'release' THEN amount ELSE 0 END) AS release,
                        sum(CASE kind WHEN 'refund' THEN amount ELSE 0 END) AS refund,
                        sum(CASE kind WHEN 'refund_failed' THEN amount ELSE 0 END) AS refund_failed
                    FROM ledger GROUP BY intent_id
                ) AS l ON l.intent_id = p.id
                LEFT JOIN (SELECT intent_id, sum(amount) AS total FROM refund WHERE status <> 'failed' GROUP BY intent_id) AS r
                    ON r.intent_id = p.id
                ORDER BY p.seq
                """
            ) { row in
                checked += 1
                movements += try row["movements"] as Int
                let id: String = try row["id"]
                let currency: String = try row["currency"]
                func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }
                // The state machine's own arithmetic: the figures its movements add up to.
                let ledger = IntentState.Figures(movements: [
                    .hold(try row["hold"]), .capture(try row["capture"]), .release(try row["release"]), .refund(try row["refund"]),
                    .refundFailed(try row["refund_failed"]),
                ])
                let stored: [(String, Int64, Int64)] = [
                    ("amountCapturable", try row["amount_capturable"], ledger.capturable),
                    ("amountCaptured", try row["amount_captured"], ledger.captured),
                    ("amountRefunded", try row["amount_refunded"], ledger.refunded),
                ]
                for (name, figure, expected) in stored where figure != expected {
                    discrepancies.append("Payment \(id) has \(name) \(money(figure)), but its ledger adds up to \(money(expected)).")
                }
                let refunds: Int64 = try row["refunds"]
                if refunds != ledger.refunded {
                    discrepancies.append(
                        "Payment \(id)'s pending and succeeded refunds add up to \(money(refunds)), but its ledger's refunds to \(money(ledger.refunded))."
                    )
                }
            }
            try connection.forEach(
                "SELECT intent_id, count(*) AS movements FROM ledger WHERE intent_id NOT IN (SELECT id FROM payment_intent) GROUP BY intent_id"
            ) { row in
                movements += try row["movements"] as Int
                discrepancies.append("The ledger holds movements for payment \(try row["intent_id"] as String), which does not exist.")
            }
            return PaymentLedgerCheck(intentsChecked: checked, movements: movements, discrepancies: discrepancies)
        }
    }

    /// The cursor of the page after `intent`: its creation time and id, base64url.
    static func cursor(after intent: PaymentIntent) -> String {
        Base64URL.encode(Array("\(microseconds(intent.createdAt)) \(intent.id.rawValue)".utf8))
    }

    /// A cursor's creation time and id, `nil` for text no page gave out.
    static func decodeCursor(_ cursor: String) -> (Int64, String)? {
        guard let bytes = Base64URL.decode(cursor), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let created = Int64(parts[0]) else { return nil }
        return (created, String(parts[1]))
    }
}
