import CartAPI
import Commerce
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import WarehouseAPI

/// Driving a checkout saga: claim it, make the call it asks for, hand the outcome back, persist, repeat.
extension SQLiteOrdersService {
    /// Drives the saga of `id` until it finishes, suspends or its runner stops; does nothing when another runner
    /// holds its claim or it has finished. `claimed` is the order as just stored with the claim taken for this
    /// runner (a new checkout's), so that it is neither claimed nor read again.
    func drive(_ id: OrderID, claimed: Stored? = nil) async {
        do {
            var current: Stored
            if let claimed {
                current = claimed
            } else {
                guard try await claim(id) else { return }
                guard let stored = try await stored(id), !stored.saga.isFinished else { return try await unclaim(id) }
                current = stored
            }
            var actions = current.saga.resume()
            var outcome: SagaOutcome?
            var answered = Self.isAnswerable(current.order, current.saga)
            while true {
                var call: SagaCall?
                var wait: Duration?
                var notes: [TimelineEntry] = []
                var status: OrderStatus?
                var publish: [OrderStatus] = []
                for action in actions {
                    switch action {
                    case .note(let step, let result, let detail): notes.append(entry(step, result, detail))
                    case .setStatus(let next): status = next
                    case .publish(let next): publish.append(next)
                    case .wait(let duration): wait = duration
                    case .call(let next): call = next
                    case .suspend: break
                    }
                }
                if actions.contains(.suspend) { call = nil }
                if outcome != nil || call == nil {
                    let finished = outcome
                    let newStatus = status
                    let entries = notes
                    current = try await persist(current, publish: publish) { order in
                        if let finished { Self.apply(finished, to: &order) }
                        if let newStatus { order.status = newStatus }
                        order.timeline += entries
                    }
                    let saga = current.saga
                    if saga.isFinished || saga.phase == .clearingCart { cards.remove(id) }
                    try await afterStep?(id, notes.last(where: { $0.step != "retry" })?.step ?? saga.phase.rawValue)
                    // Answerable (decided, and a confirmed order's lines out of the cart): the checkout waiting for it
                    // answers before the capture and the fulfilment take the CPU.
                    if !answered && Self.isAnswerable(current.order, saga) {
                        answered = true
                        await watchers.awaitLeaving(id, timeout: configuration.checkoutDeadline)
                    }
                }
                guard let call else {
                    return try await unclaim(id)
                }
                if let wait { try await Task.sleep(for: wait) }
                let answer = await execute(call, current.order, round: current.saga.authorizationRound)
                try Task.checkCancellation()
                outcome = answer
                actions = current.saga.handle(answer)
            }
        } catch is CancellationError {
            // Stopped (a shutdown, or a crash hook): the claim runs out and the recovery loop resumes the saga.
        } catch {
            logger.warning("checkout saga stopped", metadata: ["order": "\(id.rawValue)", "error": "\(error)"])
            try? await unclaim(id)
        }
    }

    /// Whether a checkout can answer with `order`: it is decided and, when confirmed, its lines have left the cart,
    /// so that a shopper told `201` finds the cart without them and cannot buy them twice.
    static func isAnswerable(_ order: Order, _ saga: CheckoutSaga) -> Bool {
        order.status.isDecided && !(order.status == .confirmed && saga.phase == .clearingCart)
    }

    /// One recovery pass: every open saga and every pending return nobody holds a claim on.
    func recover() async {
        do {
            let stamp = Self.microseconds(now())
            let (sagas, returns) = try await database.read { connection in
                let open = try connection.query(
                    "SELECT id FROM orders WHERE open = 1 AND (claimed_until_us IS NULL OR claimed_until_us <= ?) ORDER BY seq",
                    [stamp]
                ).map { OrderID(rawValue: try $0["id"]) }
                let returns = try connection.query("SELECT id FROM orders WHERE pending_returns > 0 ORDER BY seq").map {
                    OrderID(rawValue: try $0["id"])
                }
                return (open, returns)
            }
            for id in sagas { runner.submit(id) }
            for id in returns { await finishReturns(id) }
        } catch {
            logger.error("recovery pass failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Claims

    /// Takes the saga's claim; `false` when another runner holds it.
    private func claim(_ id: OrderID) async throws -> Bool {
        let at = now()
        let until = Self.microseconds(at.addingTimeInterval(configuration.claimDuration / .seconds(1)))
        let stamp = Self.microseconds(at)
        return try await database.write { connection in
            try connection.execute(
                "UPDATE orders SET claimed_until_us = ? WHERE id = ? AND open = 1 AND (claimed_until_us IS NULL OR claimed_until_us <= ?)",
                [until, id.rawValue, stamp]
            )
            return connection.changes == 1
        }
    }

    private func unclaim(_ id: OrderID) async throws {
        try await database.write { connection in
            try connection.execute("UPDATE orders SET claimed_until_us = NULL WHERE id = ?", [id.rawValue])
        }
    }

    /// Persists a step: `current`'s saga, and its order changed with `change`, written over the version the driver
    /// holds; when something else wrote the order meanwhile (an event), the order as stored now is changed instead.
    /// Renews the claim, and hands the order to the requests waiting on it once it can be answered with.
    /// - Returns: The order and saga as persisted.
    private func persist(
        _ current: Stored,
        publish: [OrderStatus],
        _ change: @escaping @Sendable (inout Order) -> Void
    ) async throws -> Stored {
        let id = current.order.id
        let at = now()
        let until = Self.microseconds(at.addingTimeInterval(configuration.claimDuration / .seconds(1)))
        var next = current
        change(&next.order)
        next.order.updatedAt = at
        let step = next
        let persisted = try await database.write { connection in
            var written: Stored
            do {
                written = try save(step, publish: publish, in: connection)
            } catch is StaleOrder {
                guard var stored = try Self.stored(id, in: connection) else { throw OrdersError.orderNotFound(id) }
                change(&stored.order)
                stored.order.updatedAt = at
                stored.saga = step.saga
                written = try save(stored, publish: publish, in: connection)
            }
            try connection.execute("UPDATE orders SET claimed_until_us = ? WHERE id = ?", [until, id.rawValue])
            return written
        }
        watchers.stepped(id, answer: Self.isAnswerable(persisted.order, persisted.saga) ? persisted.order : nil)
        return persisted
    }

    /// What an outcome tells the order: its payment, shipments or short lines.
    static func apply(_ outcome: SagaOutcome, to order: inout Order) {
        switch outcome {
        case .short(let lines): order.shortLines = lines
        case .authorized(let payment), .declined(let payment), .captured(let payment): order.payment = payment
        case .voided(let payment?), .refunded(let payment?): order.payment = payment
        case .fulfilled(let shipments): order.shipments = shipments
        default: break
        }
    }

    // MARK: - Calls

    /// Makes `call` for `order` and says what came of it: a declared refusal is `refused`, anything else that is not
    /// an answer (a timeout, an unavailable service, an undeclared error) `unanswered`.
    func execute(_ call: SagaCall, _ order: Order, round: Int) async -> SagaOutcome {
        let id = order.id
        do {
            switch call {
            case .reserve:
                let lines = try order.lines.map { ReservationLine(productId: $0.productId, quantity: try Quantity($0.quantity)) }
                _ = try await inventory.reserve(ReservationRequest(orderId: id, lines: lines, holdSeconds: configuration.paymentHold))
                return .reserved
            case .extend:
                _ = try await inventory.extend(ReservationExtension(orderId: id, holdSeconds: configuration.paymentHold))
                return .extended
            case .authorize:
                return try await authorize(order, round: round)
            case .clearCart:
                let lines = order.lines.map { CheckedOutLine(productId: $0.productId, quantity: $0.quantity) }
                _ = try await cart.checkOut(CartCheckout(customerId: order.customerId, orderId: id, lines: lines))
                return .cartCleared
            case .capture:
                guard let intent = order.payment?.intentId else { return .refused("The order has no authorised payment to capture.") }
                let reply = try await payments.capture(request("capture", of: id, CaptureRequest(intentId: intent)))
                return .captured(OrderPayment(reply.body))
            case .fulfil:
                let shipments = try await warehouse.fulfil(FulfilmentRequest(orderId: id))
                return .fulfilled(shipments.map(OrderShipment.init))
            case .void:
                return try await void(order)
            case .refund:
                return try await refund(order)
            case .release:
                do {
                    _ = try await inventory.release(id)
                } catch InventoryError.reservationNotFound {
                    // Nothing was held (a reserve that never took effect): nothing to give back.
                }
                return .released
            }
        } catch let error as InventoryError {
            if case .insufficientStock(let lines) = error, call == .reserve { return .short(lines) }
            return .refused(error.detail)
        } catch let error as PaymentsError {
            return .refused(error.detail)
        } catch let error as CartError {
            return .refused(error.detail)
        } catch let error as WarehouseError {
            if case .inventoryUnavailable = error { return .unanswered(error.detail) }
            return .refused(error.detail)
        } catch let error as ResilienceError where [.circuitOpen, .noHealthyInstance, .bulkheadFull].contains(error.code) {
            return .notAttempted(Self.notTaking(call, error))
        } catch let error where error.serviceUnavailability != nil {
            // The service answered that it cannot do anything now (its disk full): its transaction rolled back, so
            // nothing happened, as when it is not taking calls.
            return .notAttempted(Self.unavailable(call, error.serviceUnavailability!))
        } catch {
            return .unanswered(Self.sentence(error))
        }
    }

    /// A sentence for a call the pipeline did not make.
    static func notTaking(_ call: SagaCall, _ error: ResilienceError) -> String {
        let service = error.service.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "The service"
        let why =
            switch error.code {
            case .circuitOpen: "its calls are paused after failures"
            case .bulkheadFull: "it is at capacity"
            default: "no instance of it is available"
            }
        return "\(service) is not taking calls right now (\(why)), so the \(call == .authorize ? "card was not tried" : "call was not made")."
    }

    /// A sentence for a call the service refused because it cannot do anything right now.
    static func unavailable(_ call: SagaCall, _ unavailability: Unavailability) -> String {
        let service =
            switch call {
            case .reserve, .extend, .release: "Inventory"
            case .authorize, .capture, .void, .refund: "Payments"
            case .clearCart: "Cart"
            case .fulfil: "Warehouse"
            }
        let why = unavailability.problemType == StorageError.unavailableProblemType ? "cannot store anything" : "is unavailable"
        return "\(service) \(why) right now, so the \(call == .authorize ? "card was not tried" : "call changed nothing")."
    }

    /// Authorises the card the request brought; after a restart, when the card is gone from memory, asks Payments
    /// what became of the order's payment instead.
    private func authorize(_ order: Order, round: Int) async throws -> SagaOutcome {
        guard let card = cards.card(for: order.id) else {
            guard let intent = try await payments.payments(PaymentQuery(orderId: order.id, limit: 1)).items.first else {
                return .refused("The card details are not kept across a restart, so the payment was not tried; nothing was charged.")
            }
            switch intent.status {
            case .requiresCapture, .succeeded: return .authorized(OrderPayment(intent))
            case .requiresPaymentMethod where intent.lastDecline != nil && intent.lastDecline?.code.isRetryable == false:
                return .declined(OrderPayment(intent))
            default:
                return .refused("The card details are not kept across a restart, so the payment was not completed; nothing was charged.")
            }
        }
        let step = round == 1 ? "authorize" : "authorize-\(round)"
        let body = AuthorizationRequest(orderId: order.id, customerId: order.customerId, amount: order.totals.total, card: card)
        let intent = try await payments.authorize(request(step, of: order.id, body)).body
        return intent.status == .requiresCapture || intent.status == .succeeded ? .authorized(OrderPayment(intent)) : .declined(OrderPayment(intent))
    }

    /// Voids the order's authorisation (found through Payments when the authorisation never answered); refunds it
    /// when it turns out captured.
    private func void(_ order: Order) async throws -> SagaOutcome {
        var intentId = order.payment?.intentId
        if intentId == nil { intentId = try await payments.payments(PaymentQuery(orderId: order.id, limit: 1)).items.first?.id }
        guard let intentId else { return .voided(nil) }
        do {
            let reply = try await payments.cancel(request("void", of: order.id, CancellationRequest(intentId: intentId)))
            return .voided(OrderPayment(reply.body))
        } catch PaymentsError.unexpectedState(_, .succeeded, _) {
            return try await refund(order, intentId: intentId)
        } catch PaymentsError.paymentNotFound {
            return .voided(nil)
        }
    }

    /// Refunds everything captured of the order's payment; voids it when it was never captured.
    private func refund(_ order: Order, intentId: PaymentIntentID? = nil) async throws -> SagaOutcome {
        guard let intentId = intentId ?? order.payment?.intentId else { return .refunded(nil) }
        do {
            let reply = try await payments.refund(request("refund-cancel", of: order.id, RefundRequest(intentId: intentId)))
            return .refunded(OrderPayment(reply.body))
        } catch PaymentsError.unexpectedState(_, .requiresCapture, _), PaymentsError.unexpectedState(_, .requiresPaymentMethod, _) {
            let reply = try await payments.cancel(request("void", of: order.id, CancellationRequest(intentId: intentId)))
            return .voided(OrderPayment(reply.body))
        } catch PaymentsError.unexpectedState(_, .canceled, _) {
            return .voided(try? OrderPayment(await payments.payment(intentId)))
        } catch PaymentsError.amountTooLarge {
            // Everything captured is refunded already.
            return .refunded(try? OrderPayment(await payments.payment(intentId)))
        }
    }

    /// A request to Payments under `order:<id>:<step>`, as the caller `orders`.
    func request<Body>(_ step: String, of order: OrderID, _ body: Body) throws -> IdempotentRequest<Body> {
        IdempotentRequest(key: try IdempotencyKey("order:\(order.rawValue):\(step)"), caller: Self.caller, body: body)
    }

    /// A sentence for an error that is not a declared answer.
    static func sentence(_ error: any Error) -> String {
        switch error {
        case let error as ResilienceError: "\(error.code)"
        case let error as RemoteCallError: error.message
        default: "the call failed"
        }
    }
}
