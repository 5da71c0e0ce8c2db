import Foundation
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry

/// The work of the background sweeper: authorisations past their capture window, refunds the network answered,
/// and renewals that are due.
extension SQLitePaymentsService {
    /// One pass: expires, settles and renews everything due now. A part that fails is logged and tried again at
    /// the next pass; it does not keep the others from running.
    public func sweep() async {
        do {
            while try await expireAuthorizations(limit: 500) == 500 {}
        } catch {
            logger.error("expiring authorisations failed", metadata: ["error": "\(error)"])
        }
        do {
            while try await settleRefunds(limit: 500) == 500 {}
        } catch {
            logger.error("settling refunds failed", metadata: ["error": "\(error)"])
        }
        do {
            try await renewDueSubscriptions()
        } catch {
            logger.error("renewing subscriptions failed", metadata: ["error": "\(error)"])
        }
    }

    /// Cancels, as `expired`, at most `limit` authorisations whose capture window has run out, releasing their
    /// holds, each with its `authorization-expired` event.
    /// - Returns: How many expired.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func expireAuthorizations(limit: Int = 500) async throws -> Int {
        let now = now()
        let expired = try await database.write { connection -> [PaymentIntentID] in
            let due = try connection.query(
                "SELECT id FROM payment_intent WHERE status = 'requires_capture' AND capture_before_us <= ? ORDER BY capture_before_us LIMIT ?",
                [Self.microseconds(now), limit]
            ).map { PaymentIntentID(rawValue: try $0["id"]) }
            var expired: [PaymentIntentID] = []
            for id in due {
                let state = IntentState(try Self.requireIntent(id, in: connection))
                guard state.isExpired(at: now) else { continue }
                _ = try expire(state, at: now, in: connection)
                expired.append(id)
            }
            return expired
        }
        for id in expired { logger.info("authorisation expired", metadata: ["payment": "\(id.rawValue)"]) }
        return expired.count
    }

    /// Settles at most `limit` pending refunds as the network answers them: those of cards whose refunds fail
    /// become `failed`, their amount refundable again (a `refund_failed` reversal in the ledger and a
    /// `refund-failed` event); any other becomes `succeeded`.
    /// - Returns: How many were settled.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func settleRefunds(limit: Int = 500) async throws -> Int {
        let now = now()
        let stamp = Self.microseconds(now)
        let failed = try await database.write { connection -> (settled: Int, failed: [RefundID]) in
            let pending = try connection.query("SELECT id, intent_id, amount FROM refund WHERE status = 'pending' ORDER BY seq LIMIT ?", [limit])
            var failed: [RefundID] = []
            for row in pending {
                let refund = RefundID(rawValue: try row["id"])
                let intent = try Self.requireIntent(PaymentIntentID(rawValue: try row["intent_id"]), in: connection)
                let behaviour = try intent.card.flatMap { try Self.behaviour(of: $0.fingerprint, in: connection) } ?? .succeeds
                guard behaviour == .refundsFail else {
                    try connection.execute("UPDATE refund SET status = 'succeeded', updated_us = ? WHERE id = ?", [stamp, refund.rawValue])
                    continue
                }
                var state = IntentState(intent)
                let reversal = try state.failRefund(try row["amount"])
                try connection.execute(
                    "UPDATE refund SET status = 'failed', failure_reason = ?, updated_us = ? WHERE id = ?",
                    [Self.refundFailure, stamp, refund.rawValue]
                )
                try Self.update(state, at: stamp, in: connection)
                try Self.record([reversal], of: state.id, currency: state.currency, refund: refund, at: stamp, in: connection)
                try enqueue(.refundFailed(refund), try Self.requireIntent(state.id, in: connection), at: now, in: connection)
                failed.append(refund)
            }
            return (pending.count, failed)
        }
        for refund in failed.failed { logger.info("refund failed", metadata: ["refund": "\(refund.rawValue)"]) }
        return failed.settled
    }

    /// Why the simulated network fails a refund.
    static let refundFailure = "The card's issuer refused the refund, so the amount was not returned and can be refunded again."
}
