import Commerce
import CustomersAPI
import Foundation
import Messaging
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import WarehouseAPI

/// After checkout: cancelling, shipping and delivery from Warehouse's events, and erasure.
extension SQLiteOrdersService {
    // MARK: - Cancel

    func cancel(_ reference: OrderReference) async throws -> Order {
        let found = try await owned(reference)
        guard var stored = try await stored(found.id) else { throw OrdersError.orderNotFound(found.id) }
        var current = found
        switch current.status {
        case .rejected, .paymentFailed, .cancelled:
            return current
        case .pending:
            throw OrdersError.notCancellable(current.id, .pending)
        case .shipped, .delivered, .returned:
            throw OrdersError.notCancellable(current.id, current.status)
        case .confirmed:
            break
        }
        // Still capturing or asking for fulfilment: wait for it a while (as long as a checkout waits for its
        // decision), so that the shipments to cancel are known.
        let deadline = ContinuousClock.now + configuration.checkoutDeadline
        let steps = watchers.watch(found.id)
        defer { watchers.leave(found.id) }
        while !stored.saga.isFinished && !stored.saga.isCompensating {
            let seen = steps.generation
            guard let again = try await self.stored(current.id) else { throw OrdersError.orderNotFound(current.id) }
            (stored, current) = (again, again.order)
            if stored.saga.isFinished || stored.saga.isCompensating { break }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw OrdersError.notCancellable(current.id, .pending) }
            await steps.wait(after: seen, timeout: left)
        }
        let order = current
        if stored.saga.isCompensating {
            // Cancelled already, or being compensated: the answer is where that goes.
            return try await awaitStatus(order.id, other: .confirmed, steps: steps)
        }
        var shipments = order.shipments
        var refusal: OrdersError?
        for index in shipments.indices where shipments[index].status != .cancelled {
            do {
                shipments[index] = OrderShipment(try await warehouse.cancel(shipments[index].id))
            } catch WarehouseError.shipmentAlreadyShipped {
                refusal = .notCancellable(order.id, .shipped)
                break
            }
        }
        let captured = (order.payment?.captured.minorUnits ?? 0) > 0
        let changed = shipments
        let refused = refusal
        let request = entry("cancel-requested", "ok")
        let at = now()
        let started = try await database.write { connection -> Bool in
            guard var current = try Self.stored(order.id, in: connection) else { throw OrdersError.orderNotFound(order.id) }
            for shipment in changed {
                if let index = current.order.shipments.firstIndex(where: { $0.id == shipment.id }) { current.order.shipments[index] = shipment }
            }
            current.order.updatedAt = at
            var started = false
            if refused == nil, current.order.status == .confirmed, current.saga.cancel(captured: captured) != nil {
                current.order.timeline.append(request)
                started = true
            }
            try save(current, in: connection)
            return started
        }
        if let refusal { throw refusal }
        if started { runner.submit(order.id) }
        return try await awaitStatus(order.id, other: .confirmed, steps: steps)
    }

    /// The order once its status is no longer `status`, or as it stands at the checkout deadline.
    private func awaitStatus(_ id: OrderID, other status: OrderStatus, steps: WakeSignal) async throws -> Order {
        let deadline = ContinuousClock.now + configuration.checkoutDeadline
        while true {
            let seen = steps.generation
            let order = try await requireOrder(id)
            let left = deadline - ContinuousClock.now
            if order.status != status || left <= .zero { return order }
            try Task.checkCancellation()
            await steps.wait(after: seen, timeout: left)
        }
    }

    // MARK: - Shipping and delivery

    /// Records what Warehouse says of one of the order's shipments: the order is `shipped` once every shipment not
    /// cancelled is on its way, `delivered` once every one arrived, each with its event. Events for orders Orders
    /// does not know, and repeated events, change nothing.
    func shipmentChanged(_ shipment: Shipment, _ envelope: Envelope) async throws {
        let at = now()
        let trace = Self.traceId()
        _ = try await inbox.process(envelope) { connection in
            guard var stored = try Self.stored(shipment.orderId, in: connection) else { return }
            var order = stored.order
            let seen = OrderShipment(shipment)
            if let index = order.shipments.firstIndex(where: { $0.id == seen.id }) {
                order.shipments[index] = seen
            } else {
                order.shipments.append(seen)
            }
            var publish: [OrderStatus] = []
            let live = order.shipments.filter { $0.status != .cancelled }
            let onTheirWay = !live.isEmpty && live.allSatisfy { $0.status == .shipped || $0.status == .delivered }
            if order.status == .confirmed && onTheirWay {
                order.status = .shipped
                order.timeline.append(TimelineEntry(at: at, step: "shipped", outcome: "ok", detail: Self.tracking(live), traceId: trace))
                publish.append(.shipped)
            }
            if order.status == .shipped && live.allSatisfy({ $0.status == .delivered }) {
                order.status = .delivered
                order.timeline.append(TimelineEntry(at: at, step: "delivered", outcome: "ok", traceId: trace))
                publish.append(.delivered)
            }
            order.updatedAt = at
            stored.order = order
            try save(stored, publish: publish, in: connection)
        }
    }

    /// `Sent with DHL (tracking 123).`, for the timeline.
    private static func tracking(_ shipments: [OrderShipment]) -> String? {
        let parts = shipments.compactMap { shipment in
            shipment.carrier.map { "\($0)\(shipment.trackingNumber.map { " (tracking \($0))" } ?? "")" }
        }
        return parts.isEmpty ? nil : "Sent with \(parts.joined(separator: ", "))."
    }

    // MARK: - Erasure

    /// Anonymises a deleted customer's orders: they are kept for accounting, but their shipping address keeps only
    /// its country (for VAT); the messaging tables forget the orders' events (which carried the address) and the
    /// customer's stored checkout replies go. Then the database log is truncated, so no earlier version of an
    /// erased page survives in it.
    func erase(_ customer: CustomerID, _ envelope: Envelope) async throws {
        let at = now()
        _ = try await inbox.process(envelope) { connection in
            let ids = try connection.query("SELECT id FROM orders WHERE customer_id = ?", [customer.rawValue]).map { OrderID(rawValue: try $0["id"]) }
            for id in ids {
                guard var stored = try Self.stored(id, in: connection) else { continue }
                let address = stored.order.shippingAddress
                stored.order.shippingAddress = Address(
                    name: Self.erased,
                    line1: Self.erased,
                    city: Self.erased,
                    postalCode: Self.erased,
                    country: address.country
                )
                stored.order.updatedAt = at
                try save(stored, in: connection)
                try MessagingSchema.forget(subject: id.rawValue, in: connection)
            }
            try connection.execute("DELETE FROM idempotency_keys WHERE caller = ?", [customer.rawValue])
        }
        if try await !database.truncateLog() {
            logger.warning(
                "the database log was not truncated after an erasure: a reader held an old snapshot",
                metadata: ["customer": "\(customer)"]
            )
        }
    }

    /// What an erased field reads.
    static let erased = "erased"
}
