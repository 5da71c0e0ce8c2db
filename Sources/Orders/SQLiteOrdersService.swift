import CartAPI
import Commerce
import CustomersAPI
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Synchronization
import Telemetry
import WarehouseAPI

/// Orders over its own SQLite database, and the orchestrator of the checkout saga.
///
/// A checkout snapshots the cart and the address into a `pending` order, then the ``SagaRunner`` drives the order's
/// ``CheckoutSaga``: each step's outcome, the order's changes, its timeline and its events are persisted in one
/// transaction before the next call. The order id comes from the customer and the idempotency key, so a checkout
/// retried after a crash finds and resumes its order instead of making a second one.
struct SQLiteOrdersService: OrdersService {
    struct Configuration: Sendable {
        /// How long a checkout request waits for the saga's decision.
        var checkoutDeadline: Duration = .seconds(5)
        /// Retries, backoff and processing-error retries of every saga.
        var policy = CheckoutSaga.Policy()
        /// Seconds the reservation holds the stock while the card is authorised.
        var paymentHold = 900
        /// How long a runner's claim on a saga lasts without a step.
        var claimDuration: Duration = .seconds(60)
    }

    let database: Database
    let outbox: Outbox
    let inbox: Inbox
    let keys: IdempotencyKeys
    let configuration: Configuration
    let runner: SagaRunner
    let afterStep: SagaStepHook?
    /// The requests waiting on sagas, woken at their sagas' steps.
    let watchers = SagaWatchers()
    let logger: Logger
    let now: @Sendable () -> Date
    let cart: CartClient
    let customers: CustomersClient
    let inventory: InventoryClient
    let payments: PaymentsClient
    let warehouse: WarehouseClient
    /// Cards of sagas about to authorise, in memory only: a card is never written anywhere.
    let cards: CardShelf
    static let source = "/emporium/orders"
    /// Who Orders is to the services whose idempotency keys it uses.
    static let caller = "orders"

    init(context: ModuleContext, configuration: Configuration, runner: SagaRunner, afterStep: SagaStepHook?, now: @escaping @Sendable () -> Date) {
        database = context.database
        outbox = context.outbox
        inbox = context.inbox
        keys = IdempotencyKeys(database: context.database, now: now)
        self.configuration = configuration
        self.runner = runner
        self.afterStep = afterStep
        logger = context.logger
        self.now = now
        cart = CartClient(client: context.client)
        customers = CustomersClient(client: context.client)
        inventory = InventoryClient(client: context.client)
        payments = PaymentsClient(client: context.client)
        warehouse = WarehouseClient(client: context.client)
        cards = CardShelf()
    }

    // MARK: - Checkout

    func checkout(_ request: IdempotentRequest<CheckoutRequest>) async throws -> IdempotentReply<Order> {
        let orderId = try Self.orderID(customer: request.body.customerId, key: request.key)
        // Watched until the reply is stored, which is when the saga may go on with its background steps.
        let steps = watchers.watch(orderId)
        defer { watchers.leave(orderId) }
        return try await keys.run(request, for: OrdersEndpoints.checkout) { body in
            if let existing = try await stored(orderId) {
                // A retry after a crash (the key's lease ran out): the same order, resumed, with the card again.
                if existing.saga.phase == .reserving || existing.saga.phase == .extending || existing.saga.phase == .authorizing {
                    cards.put(body.card, for: orderId)
                }
                if !existing.saga.isFinished { runner.submit(orderId) }
                if Self.isAnswerable(existing.order, existing.saga) { return existing.order }
            } else {
                let address = try await shippingAddress(body)
                let snapshot = try await cartSnapshot(body.customerId, country: address.country)
                cards.put(body.card, for: orderId)
                guard let created = try await create(orderId, customer: body.customerId, cart: snapshot, address: address) else {
                    throw IdempotencyFailure.inProgress
                }
                try await afterStep?(orderId, "order-created")
                runner.submit(orderId, claimed: created)
            }
            return try await awaitDecision(orderId, steps: steps, until: ContinuousClock.now + configuration.checkoutDeadline)
        }
    }

    /// The order's id: `o-` and the first 20 hex digits of the SHA-256 of the customer and the key.
    static func orderID(customer: CustomerID, key: IdempotencyKey) throws -> OrderID {
        struct Identity: Encodable {
            var customer: String
            var key: String
        }
        let hash = try IdempotencyKeys.requestHash(Identity(customer: customer.rawValue, key: key.rawValue), endpoint: "orders.order-id")
        return OrderID(rawValue: "o-" + hash.prefix(10).map { String(format: "%02x", $0) }.joined())
    }

    /// The address to ship to: the saved one, or the given one checked.
    private func shippingAddress(_ body: CheckoutRequest) async throws -> Address {
        switch (body.addressId, body.shippingAddress) {
        case (let id?, nil):
            do {
                return try await customers.address(AddressReference(customerId: body.customerId, addressId: id)).address
            } catch CustomersError.addressNotFound, CustomersError.profileNotFound {
                throw OrdersError.addressNotFound(id)
            }
        case (nil, let address?):
            do { return try address.validated() } catch { throw OrdersError.shippingAddress(error) }
        default:
            throw OrdersError.invalid("give exactly one of addressId and shippingAddress", field: "addressId")
        }
    }

    /// The customer's cart priced for the destination, refused when there is nothing to buy or a line is off sale.
    /// A line the cart believes short is not refused here: the cart's view of stock may be behind, and the
    /// reservation decides (a short line then rejects the order, naming what is available).
    private func cartSnapshot(_ customer: CustomerID, country: String) async throws -> Cart {
        let snapshot = try await cart.cart(CartQuery(owner: .customer(customer), country: country))
        guard !snapshot.lines.isEmpty else { throw OrdersError.emptyCart }
        let refused = snapshot.lines.filter(\.offSale).map(\.productId)
        guard refused.isEmpty else { throw OrdersError.cartNotPurchasable(refused) }
        for line in snapshot.lines where !(1...Quantity.maximum).contains(line.quantity) {
            throw OrdersError.cartNotPurchasable([line.productId])
        }
        return snapshot
    }

    /// Inserts the `pending` order with a fresh saga, claimed for the runner it is handed to; `nil` when another
    /// request created it meanwhile.
    /// - Returns: The order and its saga as stored.
    private func create(_ id: OrderID, customer: CustomerID, cart: Cart, address: Address) async throws -> Stored? {
        let at = now()
        let trace = Self.traceId()
        let saga = CheckoutSaga(policy: configuration.policy)
        let until = Self.microseconds(at.addingTimeInterval(configuration.claimDuration / .seconds(1)))
        return try await database.write { connection in
            guard try connection.queryFirst("SELECT 1 FROM orders WHERE id = ?", [id.rawValue]) == nil else { return nil }
            let seq = (try connection.scalar(Int64.self, "SELECT COALESCE(MAX(seq), 0) FROM orders") ?? 0) + 1
            let order = Order(
                id: id,
                number: String(format: "EMP-%06lld", seq),
                customerId: customer,
                status: .pending,
                lines: cart.lines.map {
                    OrderLine(productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPrice: $0.unitPrice, lineTotal: $0.lineTotal)
                },
                totals: cart.totals,
                shippingAddress: address,
                timeline: [TimelineEntry(at: at, step: "order-created", outcome: "ok", traceId: trace)],
                createdAt: at,
                updatedAt: at
            )
            let stamp = Self.microseconds(at)
            try connection.execute(
                """
                INSERT INTO orders (seq, id, customer_id, status, document, saga, open, claimed_until_us, created_us, updated_us)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                """,
                [seq, id.rawValue, customer.rawValue, order.status.rawValue, try Self.encode(order), try Self.encode(saga), until, stamp, stamp]
            )
            return Stored(order: order, saga: saga, pendingReturns: 0, version: 0)
        }
    }

    /// The order once the saga decided it (a confirmed one once its lines left the cart), as the saga's driver hands
    /// it over when it persists it, or as it stands when `deadline` passes.
    private func awaitDecision(_ id: OrderID, steps: WakeSignal, until deadline: ContinuousClock.Instant) async throws -> Order {
        while true {
            // Read the generation first: a step persisted between the look and the wait is not missed.
            let seen = steps.generation
            if let answer = watchers.answer(id) { return answer }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return try await requireOrder(id) }
            try Task.checkCancellation()
            await steps.wait(after: seen, timeout: left)
        }
    }

    // MARK: - Reading

    func order(_ reference: OrderReference) async throws -> Order {
        try await owned(reference)
    }

    func orders(_ query: OrderQuery) async throws -> OrderPage {
        guard (1...100).contains(query.limit) else { throw OrdersError.invalid("must be from 1 to 100", field: "limit") }
        var before: Int64?
        if let cursor = query.cursor {
            guard cursor.hasPrefix("s"), let seq = Int64(cursor.dropFirst()), seq > 0 else {
                throw OrdersError.invalid("is not a cursor this service gave", field: "cursor")
            }
            before = seq
        }
        let limit = query.limit
        let start = before
        let rows = try await database.read { connection in
            try connection.query(
                """
                SELECT seq, document FROM orders
                WHERE (?1 IS NULL OR customer_id = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR seq < ?3)
                ORDER BY seq DESC LIMIT ?4
                """,
                [query.customerId?.rawValue, query.status?.rawValue, start, limit + 1]
            ).map { row in (try row["seq"] as Int64, try Self.decode(Order.self, row["document"])) }
        }
        let page = rows.prefix(limit)
        return OrderPage(items: page.map(\.1), nextCursor: rows.count > limit ? page.last.map { "s\($0.0)" } : nil)
    }

    func customerOrders(_ customerId: CustomerID) async throws -> [Order] {
        try await database.read { connection in
            try connection.query("SELECT document FROM orders WHERE customer_id = ? ORDER BY seq DESC", [customerId.rawValue]).map {
                try Self.decode(Order.self, $0["document"])
            }
        }
    }

    func openSagas() async throws -> OpenSagas {
        let sagas = try await database.read { connection in
            try connection.query("SELECT document, saga FROM orders WHERE open = 1 ORDER BY seq").map { row in
                let order = try Self.decode(Order.self, row["document"])
                let saga = try Self.decode(CheckoutSaga.self, row["saga"])
                return OpenSaga(
                    orderId: order.id,
                    number: order.number,
                    customerId: order.customerId,
                    status: order.status,
                    phase: saga.phase.public,
                    compensatingTo: saga.target,
                    attempts: saga.attempts,
                    lastStep: order.timeline.last,
                    since: order.createdAt,
                    updatedAt: order.updatedAt
                )
            }
        }
        return OpenSagas(sagas: sagas)
    }

    func summary() async throws -> OrdersSummary {
        let counts = try await database.read { connection in
            var counts: [OrderStatus: Int] = [:]
            try connection.forEach("SELECT status, COUNT(*) AS n FROM orders GROUP BY status") { row in
                if let status = OrderStatus(rawValue: try row["status"]) { counts[status] = try row["n"] }
            }
            return counts
        }
        return OrdersSummary(counts: counts)
    }

    /// The order, when the reference may see it.
    /// - Throws: ``OrdersAPI/OrdersError/orderNotFound(_:)`` for an unknown order and for another customer's.
    func owned(_ reference: OrderReference) async throws -> Order {
        guard let order = try await stored(reference.orderId)?.order, reference.customerId.map({ $0 == order.customerId }) ?? true else {
            throw OrdersError.orderNotFound(reference.orderId)
        }
        return order
    }

    func requireOrder(_ id: OrderID) async throws -> Order {
        guard let stored = try await stored(id) else { throw OrdersError.orderNotFound(id) }
        return stored.order
    }

    /// An order and its saga as stored, and the row's version.
    struct Stored: Sendable {
        var order: Order
        var saga: CheckoutSaga
        var pendingReturns: Int
        /// How many times the row was written: ``save(_:publish:in:)`` writes only over this version.
        var version: Int64
    }

    func stored(_ id: OrderID) async throws -> Stored? {
        try await database.read { try Self.stored(id, in: $0) }
    }

    static func stored(_ id: OrderID, in connection: Connection) throws -> Stored? {
        guard
            let row = try connection.queryFirst("SELECT document, saga, pending_returns, version FROM orders WHERE id = ?", [id.rawValue])
        else {
            return nil
        }
        return Stored(
            order: try decode(Order.self, row["document"]),
            saga: try decode(CheckoutSaga.self, row["saga"]),
            pendingReturns: try row["pending_returns"],
            version: try row["version"]
        )
    }

    /// Writes an order (and its saga), with the events of `publish`, in the caller's transaction, over the version
    /// it was read at.
    /// - Returns: The order as written, at its next version.
    /// - Throws: ``StaleOrder`` when another write came after `stored` was read; nothing is written then.
    @discardableResult
    func save(_ stored: Stored, publish: [OrderStatus] = [], in connection: Connection) throws -> Stored {
        let order = stored.order
        try connection.execute(
            """
            UPDATE orders SET status = ?, document = ?, saga = ?, open = ?, pending_returns = ?, updated_us = ?, version = version + 1
            WHERE id = ? AND version = ?
            """,
            [
                order.status.rawValue, try Self.encode(order), try Self.encode(stored.saga), stored.saga.isFinished ? 0 : 1,
                stored.pendingReturns, Self.microseconds(order.updatedAt), order.id.rawValue, stored.version,
            ]
        )
        guard connection.changes == 1 else { throw StaleOrder(id: order.id) }
        for status in publish { try enqueue(status, order, in: connection) }
        var saved = stored
        saved.version += 1
        return saved
    }

    /// The order's event for `status`, into the outbox.
    func enqueue(_ status: OrderStatus, _ order: Order, in connection: Connection) throws {
        let envelope: Envelope
        switch status {
        case .confirmed: envelope = try Envelope(OrderPlaced(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .rejected: envelope = try Envelope(OrderRejected(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .paymentFailed:
            envelope = try Envelope(OrderPaymentFailed(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .cancelled: envelope = try Envelope(OrderCancelled(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .shipped: envelope = try Envelope(OrderShipped(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .delivered: envelope = try Envelope(OrderDelivered(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .returned: envelope = try Envelope(OrderReturned(order: order), source: Self.source, subject: order.id.rawValue, time: order.updatedAt)
        case .pending: return
        }
        try outbox.enqueue(envelope, in: connection)
    }

    // MARK: - Values

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> Data { try encoder.encode(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try JSONDecoder().decode(type, from: data) }

    static func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// The current span's trace id, for the timeline.
    static func traceId() -> String? { TraceContext.current.map { "\($0.traceID)" } }

    /// A timeline entry now, in the current trace.
    func entry(_ step: String, _ outcome: String, _ detail: String? = nil) -> TimelineEntry {
        TimelineEntry(at: now(), step: step, outcome: outcome, detail: detail, traceId: Self.traceId())
    }
}

/// An order written back over a version that is no longer the stored one: someone else wrote it after it was read.
struct StaleOrder: Error, CustomStringConvertible {
    let id: OrderID
    var description: String { "order \(id.rawValue) was written by someone else after it was read" }
}

/// The cards of sagas about to authorise, in memory only, so that a card is never written anywhere.
final class CardShelf: Sendable {
    private let cards = Mutex<[OrderID: CardDetails]>([:])

    func put(_ card: CardDetails, for order: OrderID) { cards.withLock { $0[order] = card } }
    func card(for order: OrderID) -> CardDetails? { cards.withLock { $0[order] } }
    func remove(_ order: OrderID) { cards.withLock { $0[order] = nil } }
}
