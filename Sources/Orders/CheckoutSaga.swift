import InventoryAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit

/// The call the saga asks its runner to make next. Every call is idempotent per order (and step): Inventory's per
/// order id, Payments' under the keys ``SagaCall/authorize`` and the others name, Cart's and Warehouse's per order.
enum SagaCall: String, Codable, Sendable, Hashable {
    /// `InventoryClient.reserve`: every line, all or nothing, held for as long as the payment may take.
    case reserve
    /// `InventoryClient.extend`: the hold outlasts the payment. Only sagas stored while reserving and extending were
    /// two steps still make it.
    case extend
    /// `PaymentsClient.authorize` under `order:<id>:authorize` (`…:authorize-<n>` for the n-th try after a processing error).
    case authorize
    /// `CartClient.checkOut`: the bought lines leave the cart.
    case clearCart
    /// `PaymentsClient.capture` under `order:<id>:capture`.
    case capture
    /// `WarehouseClient.fulfil`.
    case fulfil
    /// `PaymentsClient.cancel` under `order:<id>:void` (a refund when the payment turns out captured).
    case void
    /// `PaymentsClient.refund` of everything under `order:<id>:refund-cancel` (a void when it was not captured).
    case refund
    /// `InventoryClient.release`; a reservation that does not exist counts as released.
    case release
}

/// What a call came back with, as the saga needs to know it.
enum SagaOutcome: Sendable, Hashable {
    /// The stock is held.
    case reserved
    /// Stock was short for these lines; nothing is held.
    case short([InventoryError.ShortLine])
    /// The hold was extended.
    case extended
    /// The card was authorised.
    case authorized(OrderPayment)
    /// The card was declined (a reply, with its code).
    case declined(OrderPayment)
    /// The cart gave up the bought lines.
    case cartCleared
    /// The payment was captured.
    case captured(OrderPayment)
    /// The warehouse created the shipments.
    case fulfilled([OrderShipment])
    /// The authorisation was voided (or there was none).
    case voided(OrderPayment?)
    /// The capture was refunded (or there was nothing to refund).
    case refunded(OrderPayment?)
    /// The stock was released (or nothing was held).
    case released
    /// The step's own refusal, a declared failure: a sentence.
    case refused(String)
    /// No answer that says what happened (a timeout, an undeclared error): a sentence.
    case unanswered(String)
    /// The call was not made: the service's circuit is open, it has no instance, or it is at capacity. Nothing
    /// happened, so the saga need not wait to find out: a sentence.
    case notAttempted(String)
}

/// What the runner does after a transition, in order.
enum SagaAction: Sendable, Hashable {
    /// Adds a timeline entry.
    case note(step: String, outcome: String, detail: String?)
    /// The order takes this status.
    case setStatus(OrderStatus)
    /// The order's event of this status goes to the outbox, in the transaction that persists the step.
    case publish(OrderStatus)
    /// Waits this long before the next call (a retry's backoff).
    case wait(Duration)
    /// Makes this call and hands its outcome to ``CheckoutSaga/handle(_:)``.
    case call(SagaCall)
    /// Stops for now: a compensation that keeps failing waits for the recovery loop's next pass.
    case suspend
}

/// The checkout saga of one order as a value: where it is, and what each outcome leads to. It does no I/O; the
/// service persists it after every step and makes the calls it asks for.
///
/// Forward: `reserving → authorizing → clearingCart → capturing → fulfilling → finished` (a saga stored while
/// reserving and extending the hold were two steps may still pass through `extending`). The order is
/// `confirmed` (and `orders.order-placed.v1` published) the moment the card is authorised. Backward (compensation):
/// `voiding` or `refunding`, then `releasing`, then `finished` in the status the compensation was for (`target`).
///
/// - Stock short: `rejected` at once (all or nothing, so nothing is held; nothing was charged).
/// - Declined: release, then `payment-failed`. A `processing_error` decline is tried again with a new key (a decline
///   is a stored reply, so the same key would replay it) up to ``Policy/processingRetries`` times, then it counts as
///   a decline.
/// - Payments not taking calls (its circuit open, no instance, at capacity, or its storage unable to write): the card
///   was not tried, so the stock is released at once and the order is `payment-failed` with a `payment-unavailable`
///   step: the checkout fails fast instead of waiting out retries. Unless an earlier try got no answer (or the
///   process stopped while authorising): that one may have authorised the card, so the saga voids whatever Payments
///   holds, releases, and ends `cancelled`. Before the confirmation, Inventory not taking calls
///   rejects the order at once, with a `stock-unavailable` step.
/// - Capture refused: void (a refund if it turns out captured), release, `cancelled`.
/// - Fulfilment refused: refund, release, `cancelled`.
/// - A call without an answer is retried with the same key after a backoff, up to ``Policy/attempts`` times; then
///   the saga compensates (reserve, extend, authorise, capture, fulfil: release and, when a payment may exist,
///   void or refund, ending `cancelled`) or, for the cart, goes on without it (the order stands; the cart keeps
///   lines it would have lost). Compensations are never given up: after ``Policy/attempts`` they suspend until the
///   recovery loop's next pass.
struct CheckoutSaga: Codable, Sendable, Hashable {
    /// Where the saga is.
    enum Phase: String, Codable, Sendable, Hashable {
        case reserving, extending, authorizing, clearingCart, capturing, fulfilling, voiding, refunding, releasing, finished
    }

    /// How hard the saga tries.
    struct Policy: Codable, Sendable, Hashable {
        /// Attempts of a call without an answer before the saga compensates (or, compensating, suspends).
        var attempts = 5
        /// New tries of an authorisation declined with `processing_error`.
        var processingRetries = 2
        /// The first retry's wait; each next one doubles, up to ``maximumBackoff``.
        var backoff: Duration = .milliseconds(200)
        /// The longest wait between two tries.
        var maximumBackoff: Duration = .seconds(5)

        /// The wait before try `attempt + 1`.
        func backoff(after attempt: Int) -> Duration {
            var wait = backoff
            for _ in 1..<max(1, attempt) where wait < maximumBackoff { wait *= 2 }
            return min(wait, maximumBackoff)
        }
    }

    /// Where it is.
    private(set) var phase: Phase = .reserving
    /// Calls of the current phase that got no answer.
    private(set) var attempts = 0
    /// The authorisation's try: 1, then one more after each processing error; part of its idempotency key.
    private(set) var authorizationRound = 1
    /// The status a compensation ends in.
    private(set) var target: OrderStatus?
    /// Whether an authorisation may have reached Payments without its answer reaching the saga (a call without an
    /// answer, or a restart while authorising): then a later call the pipeline did not make proves nothing, and
    /// whatever Payments holds for the order must be voided. `nil` in sagas stored before it existed: none had.
    private(set) var authorizationMayHaveTakenEffect: Bool?
    /// How hard it tries.
    var policy: Policy

    /// A saga about to reserve.
    init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Whether it has reached its end.
    var isFinished: Bool { phase == .finished }

    /// Whether it is compensating.
    var isCompensating: Bool { [.voiding, .refunding, .releasing].contains(phase) }

    /// The call the current phase makes, `nil` once finished.
    var pendingCall: SagaCall? {
        switch phase {
        case .reserving: .reserve
        case .extending: .extend
        case .authorizing: .authorize
        case .clearingCart: .clearCart
        case .capturing: .capture
        case .fulfilling: .fulfil
        case .voiding: .void
        case .refunding: .refund
        case .releasing: .release
        case .finished: nil
        }
    }

    /// What to do to carry on from where the saga was persisted (at the start, and after a restart or a suspension):
    /// its pending call, with a fresh count of attempts.
    mutating func resume() -> [SagaAction] {
        attempts = 0
        // The process may have stopped with an authorisation in flight.
        if phase == .authorizing { authorizationMayHaveTakenEffect = true }
        return pendingCall.map { [.call($0)] } ?? []
    }

    /// The customer cancels a confirmed order whose checkout finished: the payment is refunded when `captured`,
    /// else voided, then the stock released, ending `cancelled`. `nil` when the saga is not finished (it is still
    /// deciding, or already compensating).
    mutating func cancel(captured: Bool) -> [SagaAction]? {
        guard phase == .finished else { return nil }
        target = .cancelled
        attempts = 0
        phase = captured ? .refunding : .voiding
        return [.note(step: "cancel-requested", outcome: "ok", detail: nil), .call(pendingCall!)]
    }

    /// Moves on from the outcome of the pending call.
    mutating func handle(_ outcome: SagaOutcome) -> [SagaAction] {
        switch (phase, outcome) {
        // Reserving: short is a rejection; no answer is retried, then released in case it took effect.
        case (.reserving, .reserved):
            return advance(to: .authorizing, [.note(step: "stock-reserved", outcome: "ok", detail: nil)])
        case (.reserving, .short(let lines)):
            let detail = "Not enough stock for \(lines.map(\.productId.rawValue).joined(separator: ", ")); nothing was charged."
            return finish(.rejected, [.note(step: "stock-short", outcome: "failed", detail: detail)])
        case (.reserving, .refused(let reason)):
            return finish(.rejected, [.note(step: "stock-reserved", outcome: "failed", detail: reason)])
        case (.reserving, .notAttempted(let reason)):
            return finish(
                .rejected,
                [.note(step: TimelineEntry.stockUnavailable, outcome: "failed", detail: "\(reason) Nothing was held or charged.")]
            )
        case (.reserving, .unanswered(let reason)):
            return retry(reason, service: "Inventory") {
                $0.compensate(.cancelled, from: .releasing, note: ("stock-reserved", $1))
            }

        // Extending: only a saga stored before the reservation itself held the stock for the payment.
        case (.extending, .extended):
            return advance(to: .authorizing, [])
        case (.extending, .refused(let reason)):
            return compensate(.cancelled, from: .releasing, note: ("stock-reserved", "The stock hold ended before payment: \(reason)"))
        case (.extending, .unanswered(let reason)):
            return retry(reason, service: "Inventory") { $0.compensate(.cancelled, from: .releasing, note: ("stock-reserved", $1)) }

        // Authorising: approved confirms the order; a decline releases the stock.
        case (.authorizing, .authorized):
            return advance(
                to: .clearingCart,
                [
                    .note(step: "payment-authorized", outcome: "ok", detail: nil), .setStatus(.confirmed),
                    .note(step: "confirmed", outcome: "ok", detail: nil), .publish(.confirmed),
                ]
            )
        case (.authorizing, .declined(let payment)):
            let code = payment.declineCode ?? .cardDeclined
            if code.isRetryable && authorizationRound <= policy.processingRetries {
                authorizationRound += 1
                attempts = 0
                return [
                    .note(step: "retry", outcome: "retrying", detail: "The card processor failed; the card is tried again."),
                    .wait(policy.backoff(after: authorizationRound - 1)), .call(.authorize),
                ]
            }
            return compensate(.paymentFailed, from: .releasing, note: ("payment-declined", "\(code.message) (\(code.rawValue))"))
        case (.authorizing, .refused(let reason)):
            return compensate(.paymentFailed, from: .releasing, note: ("payment-declined", reason))
        case (.authorizing, .notAttempted(let reason)):
            guard authorizationMayHaveTakenEffect == true else {
                return compensate(.paymentFailed, from: .releasing, note: (TimelineEntry.paymentUnavailable, "\(reason) Nothing was charged."))
            }
            // An earlier try got no answer and may have authorised the card: this refusal does not say it did not.
            let detail = "\(reason) An earlier try got no answer, so whatever Payments holds for the order is voided."
            return compensate(.cancelled, from: .voiding, note: ("payment-authorized", detail))
        case (.authorizing, .unanswered(let reason)):
            // The authorisation may have taken effect: void whatever Payments holds for the order, then release.
            authorizationMayHaveTakenEffect = true
            return retry(reason, service: "Payments") { $0.compensate(.cancelled, from: .voiding, note: ("payment-authorized", $1)) }

        // Confirmed: the cart is a courtesy, so its failure does not undo the order.
        case (.clearingCart, .cartCleared):
            return advance(to: .capturing, [.note(step: "cart-cleared", outcome: "ok", detail: nil)])
        case (.clearingCart, .refused(let reason)):
            return advance(to: .capturing, [.note(step: "cart-cleared", outcome: "failed", detail: reason)])
        case (.clearingCart, .unanswered(let reason)):
            return retry(reason, service: "Cart") {
                $0.advance(to: .capturing, [.note(step: "cart-cleared", outcome: "failed", detail: "\($1) The cart keeps its lines.")])
            }

        case (.capturing, .captured):
            return advance(to: .fulfilling, [.note(step: "payment-captured", outcome: "ok", detail: nil)])
        case (.capturing, .refused(let reason)):
            return compensate(.cancelled, from: .voiding, note: ("payment-captured", reason))
        case (.capturing, .unanswered(let reason)):
            return retryUntilAnswered(reason, service: "Payments")

        case (.fulfilling, .fulfilled):
            return finish(nil, [.note(step: "fulfilment-requested", outcome: "ok", detail: nil)])
        case (.fulfilling, .refused(let reason)):
            return compensate(.cancelled, from: .refunding, note: ("fulfilment-requested", reason))
        case (.fulfilling, .unanswered(let reason)):
            return retryUntilAnswered(reason, service: "Warehouse")

        // Compensating: never given up.
        case (.voiding, .voided), (.refunding, .voided):
            return advance(to: .releasing, [.note(step: "payment-voided", outcome: "ok", detail: nil)])
        case (.voiding, .refunded), (.refunding, .refunded):
            return advance(to: .releasing, [.note(step: "payment-refunded", outcome: "ok", detail: nil)])
        case (.releasing, .released):
            return finish(target, [.note(step: "stock-released", outcome: "ok", detail: nil)])
        case (.voiding, .refused(let reason)), (.voiding, .unanswered(let reason)),
            (.refunding, .refused(let reason)), (.refunding, .unanswered(let reason)),
            (.releasing, .refused(let reason)), (.releasing, .unanswered(let reason)):
            return retryCompensation(reason)

        case (_, .notAttempted(let reason)):
            // Elsewhere a call not made is like one not answered: tried again (the breaker reopens in seconds).
            return handle(.unanswered(reason))

        default:
            // An outcome that does not belong to the phase (a stale answer): ask again for what the phase needs.
            return pendingCall.map { [.call($0)] } ?? []
        }
    }

    // MARK: - Transitions

    private mutating func advance(to next: Phase, _ actions: [SagaAction]) -> [SagaAction] {
        phase = next
        attempts = 0
        return actions + (pendingCall.map { [.call($0)] } ?? [])
    }

    private mutating func finish(_ status: OrderStatus?, _ actions: [SagaAction]) -> [SagaAction] {
        phase = .finished
        attempts = 0
        guard let status else { return actions }
        return actions + [.setStatus(status), .publish(status)]
    }

    /// Starts compensating from `phase`, ending in `status`, with a failed timeline entry.
    private mutating func compensate(_ status: OrderStatus, from phase: Phase, note: (step: String, detail: String)) -> [SagaAction] {
        target = status
        return advance(to: phase, [.note(step: note.step, outcome: "failed", detail: note.detail)])
    }

    /// A call without an answer: again after a backoff, or `giveUp` once the attempts are spent.
    private mutating func retry(
        _ reason: String,
        service: String,
        giveUp: (inout CheckoutSaga, String) -> [SagaAction]
    ) -> [SagaAction] {
        attempts += 1
        if attempts < policy.attempts {
            return [
                .note(step: "retry", outcome: "retrying", detail: "\(service) did not answer (\(reason)); trying again."),
                .wait(policy.backoff(after: attempts)), .call(pendingCall!),
            ]
        }
        return giveUp(&self, "\(service) did not answer after \(attempts) attempts (\(reason)).")
    }

    /// A call after the confirmation without an answer. The customer was told the order is confirmed, so a missing
    /// answer never undoes it (only a refusal does): again after a backoff, then once each recovery pass. A step a
    /// killed process left in flight answers `in progress` until its idempotency lease runs out (a minute); then
    /// the retry takes it over.
    private mutating func retryUntilAnswered(_ reason: String, service: String) -> [SagaAction] {
        attempts += 1
        let note = SagaAction.note(step: "retry", outcome: "retrying", detail: "\(service) did not answer (\(reason)); trying again.")
        if attempts < policy.attempts { return [note, .wait(policy.backoff(after: attempts)), .call(pendingCall!)] }
        return [note, .suspend]
    }

    private mutating func retryCompensation(_ reason: String) -> [SagaAction] {
        attempts += 1
        let note = SagaAction.note(step: "retry", outcome: "retrying", detail: "The compensation did not go through (\(reason)); trying again.")
        if attempts < policy.attempts { return [note, .wait(policy.backoff(after: attempts)), .call(pendingCall!)] }
        return [note, .suspend]
    }
}

extension CheckoutSaga.Phase {
    /// The phase as the API names it (the stored raw values stay as they were written).
    var `public`: SagaPhase {
        switch self {
        case .reserving: .reserving
        case .extending: .extending
        case .authorizing: .authorizing
        case .clearingCart: .clearingCart
        case .capturing: .capturing
        case .fulfilling: .fulfilling
        case .voiding: .voiding
        case .refunding: .refunding
        case .releasing: .releasing
        case .finished: .finished
        }
    }
}
