import CartAPI
import Commerce
import Foundation
import InventoryAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit
import WarehouseAPI

/// The cross-module audit behind `GET /api/v1/admin/audit` and `emporium audit`: every order against its payment,
/// its reservation and its shipments, payments and reservations without an order, holds past their expiry, and
/// each module's own ledger check. It reads each module through its API, never another module's database.
struct Audit: Sendable {
    let orders: OrdersClient
    let payments: PaymentsClient
    let inventory: InventoryClient
    /// How long a saga may be unfinished before it is a violation rather than work in flight.
    var settleTime: TimeInterval = 60

    init(client: ServiceClient) {
        orders = OrdersClient(client: client)
        payments = PaymentsClient(client: client)
        inventory = InventoryClient(client: client)
    }

    /// What the audit found.
    struct Report: Codable, Sendable {
        var checkedAt: Date
        var orders: Int
        var payments: Int
        var reservations: Int
        var violations: [Violation]
    }

    /// One broken rule.
    struct Violation: Codable, Sendable, Hashable {
        /// The order it concerns, when it concerns one.
        var orderId: OrderID?
        /// The rule: `payment`, `reservation`, `shipment`, `orphan-payment`, `orphan-reservation`, `expired-hold`,
        /// `unfinished-saga`, `ledger`.
        var check: String
        /// A sentence.
        var detail: String
    }

    func run(now: Date = Date()) async throws -> Report {
        // The order of the reads matters while the shop runs. Payments and reservations first: every one read then
        // belongs to an order that exists when the orders are read. Then the sagas still running, work in flight whose
        // order and payment may be a step apart: only their age is checked. An order whose saga starts after that read
        // has not yet moved money or stock the first reads could have seen.
        let allPayments = try await everyPayment()
        let allReservations = try await everyReservation()
        let running = Set(try await orders.openSagas().orderIds)
        let allOrders = try await everyOrder()
        let paymentsByOrder = Dictionary(grouping: allPayments.filter { $0.orderId != nil }) { $0.orderId! }
        let reservationsByOrder = Dictionary(uniqueKeysWithValues: allReservations.map { ($0.orderId, $0) })
        let orderIds = Set(allOrders.map(\.id))
        var violations: [Violation] = []

        for order in allOrders where running.contains(order.id) {
            if now.timeIntervalSince(order.updatedAt) > settleTime {
                violations.append(
                    Violation(
                        orderId: order.id,
                        check: "unfinished-saga",
                        detail: "The saga of order \(order.id.rawValue) has not moved since \(order.updatedAt.formatted(.iso8601))."
                    )
                )
            }
        }
        for order in allOrders where !running.contains(order.id) {
            var found = Self.check(
                order,
                payments: paymentsByOrder[order.id] ?? [],
                reservation: reservationsByOrder[order.id],
                now: now,
                settle: settleTime
            )
            if !found.isEmpty {
                // Read apart, an order and its payment may have been a step apart: look again at this order alone.
                found = try await recheck(order.id, now: now)
            }
            violations += found
        }
        for (orderId, intents) in paymentsByOrder where !orderIds.contains(orderId) {
            for intent in intents where !(intent.amountCaptured.isZero && intent.amountCapturable.isZero) {
                violations.append(
                    Violation(
                        orderId: orderId,
                        check: "orphan-payment",
                        detail: "Payment \(intent.id.rawValue) holds or took money for order \(orderId.rawValue), which does not exist."
                    )
                )
            }
        }
        for reservation in allReservations where !orderIds.contains(reservation.orderId) && reservation.status == .held {
            violations.append(
                Violation(
                    orderId: reservation.orderId,
                    check: "orphan-reservation",
                    detail: "Stock is held for order \(reservation.orderId.rawValue), which does not exist."
                )
            )
        }
        for reservation in allReservations where reservation.status == .held && reservation.expiresAt < now.addingTimeInterval(-settleTime) {
            violations.append(
                Violation(
                    orderId: reservation.orderId,
                    check: "expired-hold",
                    detail:
                        "The reservation of order \(reservation.orderId.rawValue) is still held \(Int(now.timeIntervalSince(reservation.expiresAt))) seconds after it expired."
                )
            )
        }
        let stock = try await inventory.checkLedger()
        for mismatch in stock.mismatches {
            violations.append(
                Violation(
                    orderId: nil,
                    check: "ledger",
                    detail:
                        "Inventory's ledger sums \(mismatch.productId.rawValue) in \(mismatch.warehouse.rawValue) to \(mismatch.ledgerOnHand) on hand "
                        + "and \(mismatch.ledgerReserved) reserved, but \(mismatch.onHand) and \(mismatch.reserved) are stored."
                )
            )
        }
        let money = try await payments.checkLedger()
        for discrepancy in money.discrepancies { violations.append(Violation(orderId: nil, check: "ledger", detail: "Payments: \(discrepancy)")) }
        return Report(
            checkedAt: now,
            orders: allOrders.count,
            payments: allPayments.count,
            reservations: allReservations.count,
            violations: violations
        )
    }

    /// What one order's status requires of its payment, reservation and shipments.
    static func check(_ order: Order, payments: [PaymentIntent], reservation: Reservation?, now: Date, settle: TimeInterval) -> [Violation] {
        var found: [Violation] = []
        func violation(_ check: String, _ detail: String) { found.append(Violation(orderId: order.id, check: check, detail: detail)) }
        let id = order.id.rawValue
        let captured = payments.reduce(Int64(0)) { $0 + $1.amountCaptured.minorUnits }
        let refunded = payments.reduce(Int64(0)) { $0 + $1.amountRefunded.minorUnits }
        let held = payments.reduce(Int64(0)) { $0 + $1.amountCapturable.minorUnits }
        let kept = captured - refunded
        let currency = order.totals.total.currency
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).description }
        // What the order says it was paid.
        let paid = (order.payment?.captured.minorUnits ?? 0) - (order.payment?.refunded.minorUnits ?? 0)
        if kept != paid {
            violation(
                "payment",
                "Order \(id) says \(money(paid)) was paid, but Payments kept \(money(kept)) (captured \(money(captured)), refunded \(money(refunded)))."
            )
        }
        switch order.status {
        case .pending:
            if now.timeIntervalSince(order.updatedAt) > settle {
                violation("unfinished-saga", "Order \(id) has been pending since \(order.updatedAt.formatted(.iso8601)).")
            }
        case .rejected, .paymentFailed, .cancelled:
            if held != 0 { violation("payment", "Order \(id) is \(order.status.rawValue), but \(money(held)) is still held on the card.") }
            if kept != 0 && order.status != .cancelled {
                violation("payment", "Order \(id) is \(order.status.rawValue), but \(money(kept)) was taken.")
            }
            if order.status == .cancelled && kept != 0 { violation("payment", "Order \(id) is cancelled, but \(money(kept)) was not refunded.") }
            if let reservation, reservation.status == .held || reservation.status == .committed && order.status != .cancelled {
                violation("reservation", "Order \(id) is \(order.status.rawValue), but its stock is \(reservation.status.rawValue).")
            }
        case .confirmed, .shipped, .delivered, .returned:
            guard let reservation else {
                violation("reservation", "Order \(id) is \(order.status.rawValue), but Inventory holds no reservation for it.")
                break
            }
            if order.status == .confirmed, reservation.status != .held && reservation.status != .committed {
                violation("reservation", "Order \(id) is confirmed, but its reservation is \(reservation.status.rawValue).")
            }
            if order.status == .shipped || order.status == .delivered, reservation.status != .committed {
                violation("reservation", "Order \(id) is \(order.status.rawValue), but its stock is \(reservation.status.rawValue), not committed.")
            }
            if order.status != .confirmed, kept + refunded < order.totals.total.minorUnits, captured < order.totals.total.minorUnits {
                violation(
                    "payment",
                    "Order \(id) is \(order.status.rawValue), but only \(money(captured)) of \(money(order.totals.total.minorUnits)) was captured."
                )
            }
            if order.status == .shipped || order.status == .delivered {
                let unshipped = order.shipments.filter { $0.status != .shipped && $0.status != .delivered }
                if order.shipments.isEmpty || !unshipped.isEmpty {
                    violation(
                        "shipment",
                        "Order \(id) is \(order.status.rawValue), but \(order.shipments.isEmpty ? "it has no shipment" : "\(unshipped.count) of its shipments have not left")."
                    )
                }
            }
        }
        return found
    }

    /// One order checked again, its payments and reservation read after it.
    private func recheck(_ id: OrderID, now: Date) async throws -> [Violation] {
        let order = try await orders.order(OrderReference(customerId: nil, orderId: id))
        guard !(try await orders.openSagas().orderIds.contains(id)) else { return [] }
        let intents = try await payments.payments(PaymentQuery(orderId: id, limit: 100)).items
        let reservation: Reservation?
        do {
            reservation = try await inventory.reservation(id)
        } catch InventoryError.reservationNotFound {
            reservation = nil
        }
        return Self.check(order, payments: intents, reservation: reservation, now: now, settle: settleTime)
    }

    private func everyOrder() async throws -> [Order] {
        try await Self.everyPage { cursor in
            let page = try await orders.orders(OrderQuery(cursor: cursor, limit: 100))
            return (page.items, page.nextCursor)
        }
    }

    private func everyPayment() async throws -> [PaymentIntent] {
        try await Self.everyPage { cursor in
            let page = try await payments.payments(PaymentQuery(cursor: cursor, limit: 100))
            return (page.items, page.nextCursor)
        }
    }

    private func everyReservation() async throws -> [Reservation] {
        try await Self.everyPage { after in
            let page = try await inventory.reservations(ReservationQuery(after: after, limit: 500))
            return (page.items, page.nextAfter)
        }
    }

    /// Every item of a paged listing: `page` is asked for the page after a cursor (`nil` for the first) and says where
    /// the next one starts (`nil` after the last).
    private static func everyPage<Item, Cursor>(_ page: (Cursor?) async throws -> ([Item], Cursor?)) async throws -> [Item] {
        var all: [Item] = []
        var cursor: Cursor?
        repeat {
            let (items, next) = try await page(cursor)
            all += items
            cursor = next
        } while cursor != nil
        return all
    }
}
