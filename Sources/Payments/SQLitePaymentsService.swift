import Commerce
public import Foundation
public import Messaging
public import PaymentsAPI
public import ServiceKit
public import Storage
public import Telemetry

/// A simulated card processor over Payments' own SQLite database, with Stripe's PaymentIntents semantics.
///
/// Every operation that moves money runs under its idempotency key (Messaging's `IdempotencyKeys`) and records
/// its reply in the same write transaction as the change, its ledger rows and its event: a crash cannot move money
/// without the reply being stored, and a retry with the key gets the stored reply and moves nothing again. An
/// intent's transitions are ``IntentState``'s; SQLite's single writer serialises them, so concurrent
/// authorisations of one order find the one intent and at most one of them holds money.
///
/// Card numbers and verification codes are never stored or logged: they are checked, given to the simulated
/// network (``CardBehaviour``) and dropped. A card is kept as its ``PaymentsAPI/CardSummary``; even the request
/// identity of an idempotency key is computed over keyed hashes of the number and code, not over them.
public struct SQLitePaymentsService: PaymentsService {
    /// What the service is run with.
    public struct Configuration: Sendable {
        /// How long an authorisation may wait for its capture before it is canceled as `expired`.
        public var captureWindow: Duration
        /// Subscription periods and renewal retries.
        public var renewals: RenewalSchedule

        /// Creates a configuration; by default a seven-day capture window, monthly periods, retries after 1, 3, 5 days.
        public init(captureWindow: Duration = .seconds(7 * 24 * 3600), renewals: RenewalSchedule = RenewalSchedule()) {
            self.captureWindow = captureWindow
            self.renewals = renewals
        }
    }

    /// Payments' database.
    public let database: Database
    /// Its outbox, for the relay to publish.
    public let outbox: Outbox
    /// Its idempotency keys.
    let keys: IdempotencyKeys
    let cards: CardCheck
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date
    static let source = "/emporium/payments"

    /// Payments over `database`, migrated with ``ModuleKit/Module/payments``'s migrations.
    /// - Parameters:
    ///   - database: Its database.
    ///   - outbox: Where its events go.
    ///   - signingSecret: The system's secret, the key of card fingerprints.
    ///   - configuration: Capture window and renewal schedule.
    ///   - logger: Where what happened goes, never with a card number.
    ///   - now: The wall clock, for timestamps, expiry and renewals; also the idempotency keys' clock.
    public init(
        database: Database,
        outbox: Outbox,
        signingSecret: [UInt8],
        configuration: Configuration = Configuration(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.outbox = outbox
        self.keys = IdempotencyKeys(database: database, now: now)
        self.cards = CardCheck(secret: signingSecret)
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    // MARK: - Authorisation

    public func authorize(_ request: IdempotentRequest<AuthorizationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        let body = request.body
        let identity = IdempotentRequest(key: request.key, caller: request.caller, body: AuthorizationIdentity(body, cards: cards))
        let reply = try await keys.run(identity, for: AuthorizationIdentity.endpoint) { _, completion in
            try await authorize(body, completion: completion)
        }
        if !reply.replayed { log(authorised: reply.body) }
        return reply
    }

    private func authorize(_ body: AuthorizationRequest, completion: IdempotencyCompletion) async throws -> PaymentIntent {
        try Self.check(body.orderId)
        try Self.check(body.amount)
        let now = now()
        let card = try cards.check(body.card, at: now)
        let summary = card.summary
        let first = CardBehaviour(number: card.digits)
        let captureBefore = now.addingTimeInterval(configuration.captureWindow / .seconds(1))
        let stamp = Self.microseconds(now)
        return try await database.write { connection in
            let behaviour = try Self.vault(summary.fingerprint, first: first, in: connection)
            let existing = try Self.intent(ofOrder: body.orderId, in: connection)
            var state = existing.map(IntentState.init) ?? IntentState(id: PaymentIntentID(rawValue: Self.makeID("pi")), amount: body.amount)
            let movements = try state.authorize(amount: body.amount, behaviour.authorization, captureBefore: captureBefore)
            if existing == nil {
                try Self.insert(
                    state,
                    orderId: body.orderId,
                    subscriptionId: nil,
                    customerId: body.customerId,
                    card: summary,
                    at: stamp,
                    in: connection
                )
            } else {
                try Self.update(state, card: summary, customerId: body.customerId, at: stamp, in: connection)
            }
            try Self.record(movements, of: state.id, currency: state.currency, at: stamp, in: connection)
            let intent = try Self.requireIntent(state.id, in: connection)
            if state.status == .requiresCapture { try enqueue(.authorized, intent, at: now, in: connection) }
            try completion.record(intent, in: connection)
            return intent
        }
    }

    // MARK: - Capture, cancel, refund

    public func capture(_ request: IdempotentRequest<CaptureRequest>) async throws -> IdempotentReply<PaymentIntent> {
        let reply = try await keys.run(request, for: PaymentsEndpoints.capture) { body, completion in
            try await change(body.intentId, operation: "capture", completion: completion) { state, _, _ in
                let movements = try state.capture(body.amount)
                let captured = Money(minorUnits: state.captured, currency: state.currency)
                return Transition(movements: movements, event: .captured(captured))
            }
        }
        if !reply.replayed { logger.info("payment captured", metadata: ["payment": "\(reply.body.id.rawValue)"]) }
        return reply
    }

    public func cancel(_ request: IdempotentRequest<CancellationRequest>) async throws -> IdempotentReply<PaymentIntent> {
        let reply = try await keys.run(request, for: PaymentsEndpoints.cancel) { body, completion in
            try await change(body.intentId, operation: "cancel", completion: completion) { state, _, _ in
                // Already canceled: the intent as it is, with no movement and no event.
                guard let movements = try state.cancel(reason: body.reason) else { return Transition() }
                return Transition(movements: movements, event: .voided)
            }
        }
        if !reply.replayed { logger.info("payment voided", metadata: ["payment": "\(reply.body.id.rawValue)"]) }
        return reply
    }

    public func refund(_ request: IdempotentRequest<RefundRequest>) async throws -> IdempotentReply<PaymentIntent> {
        let reply = try await keys.run(request, for: PaymentsEndpoints.refund) { body, completion in
            try await change(body.intentId, operation: "refund", completion: completion) { state, intent, connection in
                let movement = try state.refund(body.amount)
                let behaviour = try intent.card.flatMap { try Self.behaviour(of: $0.fingerprint, in: connection) } ?? .succeeds
                let id = RefundID(rawValue: Self.makeID("re"))
                // A card whose refunds fail has them pending until the network answers (the sweeper's next pass).
                let status: RefundStatus = behaviour == .refundsFail ? .pending : .succeeded
                let stamp = Self.microseconds(now())
                try connection.execute(
                    "INSERT INTO refund (id, intent_id, amount, status, created_us, updated_us) VALUES (?, ?, ?, ?, ?, ?)",
                    [id.rawValue, intent.id.rawValue, movement.amount, status.rawValue, stamp, stamp]
                )
                return Transition(movements: [movement], refund: id, event: .refunded(id))
            }
        }
        if !reply.replayed { logger.info("payment refunded", metadata: ["payment": "\(reply.body.id.rawValue)"]) }
        return reply
    }

    /// What an operation did to an intent: the movements for the ledger and the event, none when nothing changed.
    struct Transition {
        var movements: [IntentState.Movement] = []
        var refund: RefundID?
        var event: IntentEvent?
    }

    /// Changes intent `id` in one write transaction: the state, the ledger, the event and the reply, together.
    ///
    /// An authorisation whose capture window has run out but that the sweeper has not canceled yet is canceled
    /// here first, and that commits whatever the operation: a capture then fails as on a canceled intent, a cancel
    /// answers with the expired intent.
    private func change(
        _ id: PaymentIntentID,
        operation: String,
        completion: IdempotencyCompletion,
        _ transition: @escaping @Sendable (inout IntentState, PaymentIntent, Connection) throws -> Transition
    ) async throws -> PaymentIntent {
        let now = now()
        let stamp = Self.microseconds(now)
        let outcome = try await database.write { connection -> Result<PaymentIntent, PaymentsError> in
            let intent = try Self.requireIntent(id, in: connection)
            var state = IntentState(intent)
            if state.isExpired(at: now) {
                let expired = try expire(state, at: now, in: connection)
                guard operation == "cancel" else { return .failure(.unexpectedState(id, expired.status, operation: operation)) }
                try completion.record(expired, in: connection)
                return .success(expired)
            }
            let change = try transition(&state, intent, connection)
            if let event = change.event {
                try Self.update(state, at: stamp, in: connection)
                try Self.record(change.movements, of: id, currency: state.currency, refund: change.refund, at: stamp, in: connection)
                try enqueue(event, try Self.requireIntent(id, in: connection), at: now, in: connection)
            }
            let changed = try Self.requireIntent(id, in: connection)
            try completion.record(changed, in: connection)
            return .success(changed)
        }
        return try outcome.get()
    }

    /// Cancels an authorisation past its capture window, releasing the hold, with its event.
    /// - Returns: The canceled intent.
    func expire(_ state: IntentState, at now: Date, in connection: Connection) throws -> PaymentIntent {
        var state = state
        let stamp = Self.microseconds(now)
        let movements = try state.expire(at: now)
        try Self.update(state, at: stamp, in: connection)
        try Self.record(movements, of: state.id, currency: state.currency, at: stamp, in: connection)
        let expired = try Self.requireIntent(state.id, in: connection)
        try enqueue(.expired, expired, at: now, in: connection)
        return expired
    }

    // MARK: - Simulation

    /// Makes the simulated network treat the card with `fingerprint` as `behaviour` from now on: renewals and
    /// authorisations with it are declined, or its refunds fail. For tests and demonstrations; it is not an
    /// endpoint, and only code of this package can call it.
    /// - Throws: ``StorageError``.
    package func simulateCardBehaviour(fingerprint: String, _ behaviour: CardBehaviour) async throws {
        try await database.write { connection in
            try connection.execute(
                "INSERT INTO card_vault (fingerprint, behaviour) VALUES (?, ?) ON CONFLICT (fingerprint) DO UPDATE SET behaviour = excluded.behaviour",
                [fingerprint, behaviour.storage]
            )
        }
    }

    // MARK: - Checks

    /// An order id: 1 to 128 characters.
    static func check(_ orderId: OrderID) throws(PaymentsError) {
        guard !orderId.rawValue.isEmpty, orderId.rawValue.utf8.count <= 128 else {
            throw .invalid("orderId must be 1 to 128 characters", field: "orderId")
        }
    }

    /// An amount to authorise: positive, in a currency of ISO 4217's form.
    static func check(_ amount: Money) throws(PaymentsError) {
        guard amount.hasValidCurrency else {
            throw .invalid("amount.currency must be a three-letter ISO 4217 code such as EUR", field: "amount.currency")
        }
        guard amount.minorUnits > 0 else { throw .invalid("amount must be positive", field: "amount.minorUnits") }
    }

    /// Logs an authorisation's outcome: the intent, and the card as its brand and last four digits only.
    private func log(authorised intent: PaymentIntent) {
        var metadata: Logger.Metadata = ["payment": "\(intent.id.rawValue)", "status": "\(intent.status.rawValue)"]
        if let card = intent.card { metadata["card"] = "\(card.brand.rawValue) ending \(card.last4)" }
        if let decline = intent.lastDecline {
            metadata["decline_code"] = "\(decline.code.rawValue)"
            logger.info("authorisation declined", metadata: metadata)
        } else {
            logger.info("payment authorised", metadata: metadata)
        }
    }
}
