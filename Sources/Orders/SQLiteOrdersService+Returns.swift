import CartAPI
import Commerce
import Foundation
import InventoryAPI
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import WarehouseAPI

/// Returns of delivered orders: recorded first, then received by Warehouse and refunded, each under the return's
/// own reference and key, so the recovery loop can finish one a crash interrupted without doing anything twice.
extension SQLiteOrdersService {
    func requestReturn(_ request: ReturnRequest) async throws -> Order {
        guard !request.lines.isEmpty else { throw OrdersError.invalid("must name at least one product", field: "lines") }
        guard Set(request.lines.map(\.productId)).count == request.lines.count else {
            throw OrdersError.invalid("must name each product once", field: "lines")
        }
        for (index, line) in request.lines.enumerated() where line.quantity < 1 {
            throw OrdersError.invalid("must be at least 1", field: "lines[\(index)].quantity")
        }
        let at = now()
        let id = request.orderId
        let number = try await database.write { connection -> Int in
            guard var stored = try Self.stored(id, in: connection), stored.order.customerId == request.customerId else {
                throw OrdersError.orderNotFound(id)
            }
            var order = stored.order
            guard order.status == .delivered else { throw OrdersError.notReturnable(id, order.status) }
            let refund = try Self.refund(of: request.lines, in: order)
            for line in request.lines {
                guard let index = order.lines.firstIndex(where: { $0.productId == line.productId }) else {
                    throw OrdersError.returnRefused(id, reason: "product \(line.productId.rawValue) is not part of the order")
                }
                let left = order.lines[index].quantity - order.lines[index].returnedQuantity
                guard line.quantity <= left else {
                    throw OrdersError.returnRefused(
                        id,
                        reason: "only \(left) of product \(line.productId.rawValue) can still be returned, not \(line.quantity)"
                    )
                }
                order.lines[index].returnedQuantity += line.quantity
            }
            let number = order.returns.count + 1
            order.returns.append(
                OrderReturn(
                    id: ReturnID(rawValue: "\(id.rawValue)-r\(number)"),
                    number: number,
                    lines: request.lines,
                    refund: refund,
                    status: .pending,
                    createdAt: at
                )
            )
            order.updatedAt = at
            stored.order = order
            stored.pendingReturns += 1
            try save(stored, in: connection)
            return number
        }
        do {
            try await finishReturn(id, number: number)
        } catch let error as WarehouseError {
            if case .inventoryUnavailable = error { return try await requireOrder(id) }
            try await withdrawReturn(id, number: number)
            throw OrdersError.returnRefused(id, reason: error.detail.hasSuffix(".") ? String(error.detail.dropLast()) : error.detail)
        } catch {
            // Not confirmed yet: the return stays pending and the recovery loop finishes it.
            logger.warning("return not finished yet", metadata: ["order": "\(id.rawValue)", "error": "\(error)"])
        }
        return try await requireOrder(id)
    }

    /// What returning `lines` refunds: the order's total, shipping included, split over its lines in proportion to
    /// their totals, each line's share split over its units (both with `Money.allocated(over:)`), and the shares
    /// of the units after those returned before. Returning everything, in any number of returns, refunds exactly
    /// the total.
    static func refund(of lines: [ReturnedLine], in order: Order) throws -> Money {
        let total = order.totals.total
        guard let shares = try? total.allocated(over: order.lines.map { Int($0.lineTotal.minorUnits) }) else { return .zero(total.currency) }
        var refund = Money.zero(total.currency)
        for line in lines {
            guard let index = order.lines.firstIndex(where: { $0.productId == line.productId }) else { continue }
            let bought = order.lines[index]
            let units = try shares[index].allocated(over: Array(repeating: 1, count: max(1, bought.quantity)))
            let first = min(bought.returnedQuantity, units.count)
            let last = min(first + line.quantity, units.count)
            for unit in units[first..<last] { refund = try refund + unit }
        }
        return refund
    }

    /// Finishes every pending return of the order; what fails stays pending for the next pass.
    func finishReturns(_ id: OrderID) async {
        guard let order = try? await requireOrder(id) else { return }
        for pending in order.returns where pending.status == .pending {
            do {
                try await finishReturn(id, number: pending.number)
            } catch {
                logger.warning(
                    "return not finished yet",
                    metadata: ["order": "\(id.rawValue)", "return": "\(pending.id.rawValue)", "error": "\(error)"]
                )
            }
        }
    }

    /// Has Warehouse receive return `number` of the order (reference `<order id>-r<n>`, at the warehouse of its first
    /// shipment, which takes returns for the order) and refunds it under `order:<id>:refund-return-<n>`; then records
    /// it refunded, and the order `returned` once every unit is back.
    private func finishReturn(_ id: OrderID, number: Int) async throws {
        let order = try await requireOrder(id)
        guard let pending = order.returns.first(where: { $0.number == number }), pending.status == .pending else { return }
        let warehouseId = order.shipments.first?.warehouse ?? WarehouseID(rawValue: "returns")
        let lines = try pending.lines.map { ReturnLine(productId: $0.productId, quantity: try Quantity($0.quantity)) }
        _ = try await warehouse.receiveReturn(ReturnReceipt(returnId: pending.id, orderId: id, lines: lines, warehouse: warehouseId))
        var payment: OrderPayment?
        if pending.refund.minorUnits > 0, let intent = order.payment?.intentId {
            let reply = try await payments.refund(request("refund-return-\(number)", of: id, RefundRequest(intentId: intent, amount: pending.refund)))
            payment = OrderPayment(reply.body)
        }
        let refunded = payment
        let at = now()
        let units = pending.lines.reduce(0) { $0 + $1.quantity }
        let note = entry("returned", "ok", "\(units) \(units == 1 ? "unit" : "units") returned; \(pending.refund) refunded.")
        try await database.write { connection in
            guard var stored = try Self.stored(id, in: connection),
                let index = stored.order.returns.firstIndex(where: { $0.number == number }),
                stored.order.returns[index].status == .pending
            else { return }
            stored.order.returns[index].status = .refunded
            stored.pendingReturns = max(0, stored.pendingReturns - 1)
            if let refunded { stored.order.payment = refunded }
            stored.order.timeline.append(note)
            stored.order.updatedAt = at
            var publish: [OrderStatus] = []
            let everything = stored.order.lines.allSatisfy { $0.returnedQuantity >= $0.quantity }
            if everything && stored.pendingReturns == 0 && stored.order.status == .delivered {
                stored.order.status = .returned
                publish.append(.returned)
            }
            try save(stored, publish: publish, in: connection)
        }
    }

    /// Takes back a return Warehouse refused, so its units can be returned again.
    private func withdrawReturn(_ id: OrderID, number: Int) async throws {
        try await database.write { connection in
            guard var stored = try Self.stored(id, in: connection),
                let index = stored.order.returns.firstIndex(where: { $0.number == number }),
                stored.order.returns[index].status == .pending
            else { return }
            for line in stored.order.returns[index].lines {
                if let lineIndex = stored.order.lines.firstIndex(where: { $0.productId == line.productId }) {
                    stored.order.lines[lineIndex].returnedQuantity -= line.quantity
                }
            }
            stored.order.returns.remove(at: index)
            stored.pendingReturns = max(0, stored.pendingReturns - 1)
            try save(stored, in: connection)
        }
    }
}
