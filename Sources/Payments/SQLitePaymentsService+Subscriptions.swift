public import Commerce
import Foundation
import IdentityAPI
public import Messaging
public import PaymentsAPI
public import ServiceKit
import Storage
import Telemetry

/// Membership subscriptions: the first period charged at once, renewals and their retries on the clock, and the
/// end of a subscription by the customer, by lapsing, or by the deletion of their account.
///
/// Each paid period is an intent of its own (with the subscription's id and no order), authorised and captured at
/// once, with its ledger rows and events. A declined renewal stores no intent: the subscription keeps the decline
/// and when it is tried again.
extension SQLitePaymentsService {
    public func subscribe(_ request: IdempotentRequest<SubscriptionRequest>) async throws -> IdempotentReply<PaymentsAPI.Subscription> {
        let body = request.body
        let identity = IdempotentRequest(key: request.key, caller: request.caller, body: SubscriptionIdentity(body, cards: cards))
        let reply = try await keys.run(identity, for: SubscriptionIdentity.endpoint) { _, completion in
            try await subscribe(body, completion: completion)
        }
        if !reply.replayed { log("subscription started", reply.body) }
        return reply
    }

    private func subscribe(_ body: SubscriptionRequest, completion: IdempotencyCompletion) async throws -> PaymentsAPI.Subscription {
        guard !body.customerId.rawValue.isEmpty, body.customerId.rawValue.utf8.count <= 128 else {
            throw PaymentsError.invalid("customerId must be 1 to 128 characters", field: "customerId")
        }
        let now = now()
        let card = try cards.check(body.card, at: now)
        let summary = card.summary
        let first = CardBehaviour(number: card.digits)
        let end = configuration.renewals.end(ofPeriod: 1, anchor: now)
        return try await database.write { connection in
            if let latest = try Self.latestSubscription(of: body.customerId, in: connection)?.subscription, latest.status.isMember {
                throw PaymentsError.alreadySubscribed(body.customerId, latest.status)
            }
            // A decline is a failure here: thrown, it rolls everything back and the key is released.
            let behaviour = try Self.vault(summary.fingerprint, first: first, in: connection)
            if case .declined(let code) = behaviour.authorization { throw PaymentsError.cardDeclined(Decline(code: code)) }
            let id = SubscriptionID(rawValue: Self.makeID("sub"))
            let stamp = Self.microseconds(now)
            try connection.execute(
                """
                INSERT INTO subscription (
                    id, customer_id, plan, status, card_brand, card_last4, card_exp_month, card_exp_year, card_fingerprint,
                    anchor_us, periods, current_period_start_us, current_period_end_us, created_us
                ) VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                """,
                [
                    id.rawValue, body.customerId.rawValue, body.plan.rawValue, summary.brand.rawValue, summary.last4, summary.expMonth,
                    summary.expYear, summary.fingerprint, stamp, stamp, Self.microseconds(end), stamp,
                ]
            )
            _ = try charge(id, customer: body.customerId, amount: body.plan.price, card: summary, at: now, in: connection)
            let subscription = try Self.requireSubscription(id, in: connection).subscription
            try enqueue(SubscriptionStarted(subscription: subscription), customer: body.customerId, at: now, in: connection)
            try completion.record(subscription, in: connection)
            return subscription
        }
    }

    public func subscription(_ customerId: CustomerID) async throws -> PaymentsAPI.Subscription {
        guard let row = try await database.read({ try Self.latestSubscription(of: customerId, in: $0) }) else {
            throw PaymentsError.subscriptionNotFound(customerId)
        }
        return row.subscription
    }

    public func cancelSubscription(_ customerId: CustomerID) async throws -> PaymentsAPI.Subscription {
        let now = now()
        let (subscription, ended) = try await database.write { connection in
            guard let row = try Self.latestSubscription(of: customerId, in: connection) else { throw PaymentsError.subscriptionNotFound(customerId) }
            guard row.subscription.status.isMember else { return (row.subscription, false) }
            return (try end(row.subscription, at: now, in: connection), true)
        }
        if ended { log("subscription cancelled", subscription) }
        return subscription
    }

    /// Ends a running subscription as `canceled`, with its event.
    /// - Returns: The subscription, canceled.
    func end(_ subscription: PaymentsAPI.Subscription, at now: Date, in connection: Connection) throws -> PaymentsAPI.Subscription {
        try connection.execute(
            "UPDATE subscription SET status = 'canceled', next_retry_us = NULL, ended_us = ? WHERE id = ?",
            [Self.microseconds(now), subscription.id.rawValue]
        )
        let canceled = try Self.requireSubscription(subscription.id, in: connection).subscription
        try enqueue(SubscriptionCancelled(subscription: canceled), customer: canceled.customerId, at: now, in: connection)
        return canceled
    }

    /// Payments' consumer group: a deleted account's running subscription is canceled, in the inbox's transaction.
    /// Its payments stay, for the accounts; they hold no name, address or e-mail.
    public var eventHandlers: TransactionalEventHandlers {
        var handlers = TransactionalEventHandlers()
        handlers.on(UserDeleted.self) { event, _, connection in
            let customer = CustomerID(rawValue: event.userId.rawValue)
            guard let row = try Self.latestSubscription(of: customer, in: connection), row.subscription.status.isMember else { return }
            _ = try end(row.subscription, at: now(), in: connection)
        }
        return handlers
    }

    /// Charges a subscription's period to its card: a new intent, authorised and captured at once, with its ledger
    /// rows and both events.
    func charge(
        _ subscription: SubscriptionID,
        customer: CustomerID,
        amount: Money,
        card: CardSummary,
        at now: Date,
        in connection: Connection
    ) throws
        -> PaymentIntent
    {
        let stamp = Self.microseconds(now)
        var state = IntentState(id: PaymentIntentID(rawValue: Self.makeID("pi")), amount: amount)
        let hold = try state.authorize(amount: amount, .approved, captureBefore: now.addingTimeInterval(configuration.captureWindow / .seconds(1)))
        try Self.insert(state, orderId: nil, subscriptionId: subscription, customerId: customer, card: card, at: stamp, in: connection)
        try Self.record(hold, of: state.id, currency: state.currency, at: stamp, in: connection)
        try enqueue(.authorized, try Self.requireIntent(state.id, in: connection), at: now, in: connection)
        let capture = try state.capture(nil)
        try Self.update(state, at: stamp, in: connection)
        try Self.record(capture, of: state.id, currency: state.currency, at: stamp, in: connection)
        let intent = try Self.requireIntent(state.id, in: connection)
        try enqueue(.captured(amount), intent, at: now, in: connection)
        return intent
    }

    // MARK: - Renewals

    /// Runs every renewal and retry that is due, each attempt in its own transaction; a subscription that fell
    /// several periods or retries behind (the system was down) catches up in one pass.
    /// - Returns: How many attempts were made.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func renewDueSubscriptions() async throws -> Int {
        let stamp = Self.microseconds(now())
        let due = try await database.read { connection in
            try connection.query(
                """
                SELECT id FROM subscription
                WHERE (status = 'active' AND current_period_end_us <= :now) OR (status = 'past_due' AND next_retry_us <= :now)
                ORDER BY seq
                """,
                ["now": stamp]
            ).map { SubscriptionID(rawValue: try $0["id"]) }
        }
        var attempts = 0
        for id in due {
            // Bounded, so that a period shorter than a pass cannot keep one subscription renewing forever.
            for _ in 0..<100 {
                guard let outcome = try await attemptRenewal(id) else { break }
                attempts += 1
                log(outcome.message, outcome.subscription)
            }
        }
        return attempts
    }

    /// One renewal attempt of subscription `id` if one is due now: the charge, or the decline and the next retry,
    /// or the lapse.
    /// - Returns: What happened, `nil` when nothing was due.
    private func attemptRenewal(_ id: SubscriptionID) async throws -> (message: String, subscription: PaymentsAPI.Subscription)? {
        let now = now()
        let schedule = configuration.renewals
        return try await database.write { connection -> (String, PaymentsAPI.Subscription)? in
            let row = try Self.requireSubscription(id, in: connection)
            let subscription = row.subscription
            switch subscription.status {
            case .active where subscription.currentPeriodEnd <= now: break
            case .pastDue where (subscription.nextRetryAt ?? .distantFuture) <= now: break
            default: return nil
            }
            let card = subscription.card
            var answer = (try Self.behaviour(of: card.fingerprint, in: connection) ?? .succeeds).authorization
            if CardCheck.hasExpired(month: card.expMonth, year: card.expYear, at: now) { answer = .declined(.expiredCard) }
            let stamp = Self.microseconds(now)
            switch answer {
            case .approved:
                _ = try charge(id, customer: subscription.customerId, amount: subscription.plan.price, card: card, at: now, in: connection)
                let periods = row.periods + 1
                try connection.execute(
                    """
                    UPDATE subscription SET status = 'active', periods = ?, current_period_start_us = current_period_end_us,
                        current_period_end_us = ?, failed_renewals = 0, next_retry_us = NULL, decline_code = NULL
                    WHERE id = ?
                    """,
                    [periods, Self.microseconds(schedule.end(ofPeriod: periods, anchor: row.anchor)), id.rawValue]
                )
                let renewed = try Self.requireSubscription(id, in: connection).subscription
                try enqueue(SubscriptionRenewed(subscription: renewed), customer: renewed.customerId, at: now, in: connection)
                return ("subscription renewed", renewed)
            case .declined(let code):
                let failures = subscription.failedRenewals + 1
                if let retry = schedule.retry(after: failures, due: subscription.currentPeriodEnd) {
                    try connection.execute(
                        "UPDATE subscription SET status = 'past_due', failed_renewals = ?, next_retry_us = ?, decline_code = ? WHERE id = ?",
                        [failures, Self.microseconds(retry), code.rawValue, id.rawValue]
                    )
                    let failed = try Self.requireSubscription(id, in: connection).subscription
                    try enqueue(SubscriptionRenewalFailed(subscription: failed), customer: failed.customerId, at: now, in: connection)
                    return ("subscription renewal declined", failed)
                }
                // The last retry was declined too: membership ends.
                try connection.execute(
                    """
                    UPDATE subscription SET status = 'lapsed', failed_renewals = ?, next_retry_us = NULL, decline_code = ?, ended_us = ?
                    WHERE id = ?
                    """,
                    [failures, code.rawValue, stamp, id.rawValue]
                )
                let lapsed = try Self.requireSubscription(id, in: connection).subscription
                try enqueue(SubscriptionLapsed(subscription: lapsed), customer: lapsed.customerId, at: now, in: connection)
                return ("subscription lapsed", lapsed)
            }
        }
    }

    /// Logs a subscription's change: its id, status and card as brand and last four digits only.
    func log(_ message: String, _ subscription: PaymentsAPI.Subscription) {
        var metadata: Logger.Metadata = [
            "subscription": "\(subscription.id.rawValue)", "status": "\(subscription.status.rawValue)",
            "card": "\(subscription.card.brand.rawValue) ending \(subscription.card.last4)",
        ]
        if let decline = subscription.lastDecline { metadata["decline_code"] = "\(decline.code.rawValue)" }
        logger.info("\(message)", metadata: metadata)
    }
}
