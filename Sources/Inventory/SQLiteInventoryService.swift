public import Commerce
public import Foundation
public import InventoryAPI
public import Messaging
public import ServiceKit
public import Storage

/// Stock, reservations and the movement ledger over Inventory's own database.
///
/// Every change is one write transaction: the stock figures, a ledger row per product and warehouse touched, and
/// the events, together. SQLite has one writer, so two reservations never see the same free units: the check and
/// the hold happen in the same transaction, and the table's `CHECK (reserved <= on_hand)` refuses anything that
/// would oversell even if a bug let it through.
public struct SQLiteInventoryService: InventoryService {
    /// How reservations and stock warnings behave.
    public struct Configuration: Sendable {
        /// How long a reservation is held unless the request says otherwise.
        public var reservationHold: Duration
        /// The low-stock threshold of products that have none of their own.
        public var defaultLowStockThreshold: Int

        /// Creates a configuration.
        public init(reservationHold: Duration = .seconds(15 * 60), defaultLowStockThreshold: Int = 5) {
            self.reservationHold = reservationHold
            self.defaultLowStockThreshold = defaultLowStockThreshold
        }
    }

    /// Inventory's database.
    public let database: Database
    private let outbox: Outbox
    private let configuration: Configuration
    private let now: @Sendable () -> Date
    static let source = "/emporium/inventory"
    /// The longest a reservation may be held, in seconds: 30 days, since Warehouse holds an order's stock from
    /// fulfilment until its shipments ship (two weeks at the carrier's realistic pace).
    static let longestHold = 30 * 24 * 3600

    /// Inventory over `database`, migrated with ``Module/inventory``'s migrations, writing its events to `outbox`.
    /// - Parameter now: The system clock; tests pass one they move.
    public init(database: Database, outbox: Outbox, configuration: Configuration = Configuration(), now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.outbox = outbox
        self.configuration = configuration
        self.now = now
    }

    // MARK: - Reservations

    public func reserve(_ request: ReservationRequest) async throws -> Reservation {
        guard !request.lines.isEmpty else { throw InventoryError.invalid("a reservation needs at least one line", field: "lines") }
        guard Set(request.lines.map(\.productId)).count == request.lines.count else {
            throw InventoryError.invalid("each product may appear on one line only", field: "lines")
        }
        if let hold = request.holdSeconds, hold <= 0 || hold > Self.longestHold {
            throw InventoryError.invalid("holdSeconds must be between 1 and \(Self.longestHold)", field: "holdSeconds")
        }
        let hold = request.holdSeconds.map { Duration.seconds($0) } ?? configuration.reservationHold
        let now = now()
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now)
        return try await database.write { connection in
            // The same order again: the first answer, whatever this request says.
            if let existing = try Self.reservation(request.orderId, in: connection) { return existing }
            let warehouses = try Self.warehouseOrder(in: connection)
            var available: [ProductID: [WarehouseID: Int]] = [:]
            for line in request.lines {
                available[line.productId] = try Self.availableByWarehouse(line.productId, in: connection)
            }
            let short = request.lines.compactMap { line -> InventoryError.ShortLine? in
                let total = available[line.productId, default: [:]].values.reduce(0, +)
                return total < line.quantity.value
                    ? InventoryError.ShortLine(productId: line.productId, requested: line.quantity.value, available: total) : nil
            }
            guard short.isEmpty else { throw InventoryError.insufficientStock(short) }
            let allocations = Self.allocate(request.lines, available: available, warehouses: warehouses)
            let expires = now.addingTimeInterval(hold / .seconds(1))
            try connection.execute(
                "INSERT INTO reservation (order_id, status, expires_at_us, created_at_us) VALUES (?, 'held', ?, ?)",
                [request.orderId.rawValue, Self.microseconds(expires), Self.microseconds(now)]
            )
            for allocation in allocations {
                try connection.execute(
                    "INSERT INTO allocation (order_id, product_id, warehouse_id, quantity, state) VALUES (?, ?, ?, ?, 'held')",
                    [request.orderId.rawValue, allocation.productId.rawValue, allocation.warehouse.rawValue, allocation.quantity]
                )
                try ledger.move(
                    allocation.productId,
                    allocation.warehouse,
                    .reservation,
                    reserved: allocation.quantity,
                    reference: request.orderId.rawValue,
                    in: connection
                )
            }
            try ledger.publishChanges(in: connection)
            // Read back, so a repeated request gets exactly this answer (times as stored, to the microsecond).
            return try Self.requireReservation(request.orderId, in: connection)
        }
    }

    /// From one warehouse when one can hold every line (the first by priority), else line by line from the
    /// warehouses in priority order.
    static func allocate(_ lines: [ReservationLine], available: [ProductID: [WarehouseID: Int]], warehouses: [WarehouseID]) -> [Allocation] {
        if let whole = warehouses.first(where: { warehouse in
            lines.allSatisfy { available[$0.productId]?[warehouse, default: 0] ?? 0 >= $0.quantity.value }
        }) {
            return lines.map { Allocation(productId: $0.productId, warehouse: whole, quantity: $0.quantity.value) }
        }
        var allocations: [Allocation] = []
        for line in lines {
            var remaining = line.quantity.value
            for warehouse in warehouses where remaining > 0 {
                let take = min(remaining, available[line.productId]?[warehouse] ?? 0)
                guard take > 0 else { continue }
                allocations.append(Allocation(productId: line.productId, warehouse: warehouse, quantity: take))
                remaining -= take
            }
        }
        return allocations
    }

    public func extend(_ request: ReservationExtension) async throws -> Reservation {
        guard request.holdSeconds > 0, request.holdSeconds <= Self.longestHold else {
            throw InventoryError.invalid("holdSeconds must be between 1 and \(Self.longestHold)", field: "holdSeconds")
        }
        let until = now().addingTimeInterval(Double(request.holdSeconds))
        return try await database.write { connection in
            let reservation = try Self.requireReservation(request.orderId, in: connection)
            guard reservation.status == .held else { throw InventoryError.reservationNotHeld(request.orderId, reservation.status) }
            try connection.execute(
                "UPDATE reservation SET expires_at_us = max(expires_at_us, ?) WHERE order_id = ?",
                [Self.microseconds(until), request.orderId.rawValue]
            )
            return try Self.requireReservation(request.orderId, in: connection)
        }
    }

    public func commit(_ commitment: StockCommitment) async throws -> Reservation {
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now())
        return try await database.write { connection in
            let reservation = try Self.requireReservation(commitment.orderId, in: connection)
            guard reservation.status == .held || reservation.status == .committed else {
                throw InventoryError.reservationNotHeld(commitment.orderId, reservation.status)
            }
            let held = try connection.query(
                "SELECT product_id, quantity FROM allocation WHERE order_id = ? AND warehouse_id = ? AND state = 'held'",
                [commitment.orderId.rawValue, commitment.warehouse.rawValue]
            )
            for row in held {
                let product = ProductID(rawValue: try row["product_id"])
                let quantity: Int = try row["quantity"]
                try ledger.move(
                    product,
                    commitment.warehouse,
                    .commit,
                    onHand: -quantity,
                    reserved: -quantity,
                    reference: commitment.orderId.rawValue,
                    in: connection
                )
            }
            try connection.execute(
                "UPDATE allocation SET state = 'committed' WHERE order_id = ? AND warehouse_id = ? AND state = 'held'",
                [commitment.orderId.rawValue, commitment.warehouse.rawValue]
            )
            // Once every allocation has left, the reservation is committed; until then it stays held, but a
            // partly shipped order no longer expires (see sweepExpired).
            let remaining = try connection.scalar(
                Int.self,
                "SELECT count(*) FROM allocation WHERE order_id = ? AND state = 'held'",
                [commitment.orderId.rawValue]
            )
            if remaining == 0 {
                try connection.execute("UPDATE reservation SET status = 'committed' WHERE order_id = ?", [commitment.orderId.rawValue])
            }
            try ledger.publishChanges(in: connection)
            return try Self.requireReservation(commitment.orderId, in: connection)
        }
    }

    public func release(_ orderId: OrderID) async throws -> Reservation {
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now())
        return try await database.write { connection in
            let reservation = try Self.requireReservation(orderId, in: connection)
            guard reservation.status == .held else { return reservation }
            try Self.giveBack(orderId, as: .release, ledger: ledger, in: connection)
            try ledger.publishChanges(in: connection)
            return try Self.requireReservation(orderId, in: connection)
        }
    }

    /// Returns a held reservation's uncommitted units; the reservation ends `released` (or `expired`), or
    /// `committed` when part of it had already shipped.
    private static func giveBack(_ orderId: OrderID, as kind: Ledger.Kind, ledger: Ledger, in connection: Connection) throws {
        let held = try connection.query(
            "SELECT product_id, warehouse_id, quantity FROM allocation WHERE order_id = ? AND state = 'held'",
            [orderId.rawValue]
        )
        for row in held {
            let quantity: Int = try row["quantity"]
            try ledger.move(
                ProductID(rawValue: try row["product_id"]),
                WarehouseID(rawValue: try row["warehouse_id"]),
                kind,
                reserved: -quantity,
                reference: orderId.rawValue,
                in: connection
            )
        }
        try connection.execute("UPDATE allocation SET state = 'returned' WHERE order_id = ? AND state = 'held'", [orderId.rawValue])
        let shipped =
            try connection.scalar(Int.self, "SELECT count(*) FROM allocation WHERE order_id = ? AND state = 'committed'", [orderId.rawValue]) ?? 0
        let status = shipped > 0 ? "committed" : kind == .expiry ? "expired" : "released"
        try connection.execute("UPDATE reservation SET status = ? WHERE order_id = ?", [status, orderId.rawValue])
    }

    /// Releases every held reservation whose hold has passed (and none of whose stock has shipped), at most
    /// `limit` at a time, each with a `reservation-expired` event.
    /// - Returns: How many expired.
    public func sweepExpired(limit: Int = 500) async throws -> Int {
        let now = now()
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now)
        let outbox = outbox
        return try await database.write { connection in
            let due = try connection.query(
                """
                SELECT order_id FROM reservation WHERE status = 'held' AND expires_at_us <= ?
                    AND NOT EXISTS (SELECT 1 FROM allocation a WHERE a.order_id = reservation.order_id AND a.state = 'committed')
                ORDER BY expires_at_us LIMIT ?
                """,
                [Self.microseconds(now), limit]
            ).map { OrderID(rawValue: try $0["order_id"]) }
            for order in due {
                try Self.giveBack(order, as: .expiry, ledger: ledger, in: connection)
                try outbox.enqueue(Envelope(ReservationExpired(orderId: order), source: Self.source, subject: order.rawValue), in: connection)
            }
            try ledger.publishChanges(in: connection)
            return due.count
        }
    }

    public func reservation(_ orderId: OrderID) async throws -> Reservation {
        try await database.read { try Self.requireReservation(orderId, in: $0) }
    }

    public func reservations(_ query: ReservationQuery) async throws -> ReservationPage {
        guard (1...1000).contains(query.limit) else { throw InventoryError.invalid("must be between 1 and 1000", field: "limit") }
        return try await database.read { connection in
            let ids = try connection.query(
                "SELECT order_id FROM reservation WHERE order_id > ? ORDER BY order_id LIMIT ?",
                [query.after?.rawValue ?? "", query.limit + 1]
            ).map { OrderID(rawValue: try $0[0]) }
            let page = ids.prefix(query.limit)
            let items = try page.compactMap { try Self.reservation($0, in: connection) }
            return ReservationPage(items: items, nextAfter: ids.count > query.limit ? page.last : nil)
        }
    }

    static func reservation(_ orderId: OrderID, in connection: Connection) throws -> Reservation? {
        guard let row = try connection.queryFirst("SELECT status, expires_at_us FROM reservation WHERE order_id = ?", [orderId.rawValue]) else {
            return nil
        }
        let allocations = try connection.query(
            "SELECT product_id, warehouse_id, quantity, state FROM allocation WHERE order_id = ? ORDER BY product_id, warehouse_id",
            [orderId.rawValue]
        )
        var committed: Set<WarehouseID> = []
        let list = try allocations.map { row -> Allocation in
            let allocation = Allocation(
                productId: ProductID(rawValue: try row["product_id"]),
                warehouse: WarehouseID(rawValue: try row["warehouse_id"]),
                quantity: try row["quantity"]
            )
            if try row["state"] as String == "committed" { committed.insert(allocation.warehouse) }
            return allocation
        }
        let status = Reservation.Status(rawValue: try row["status"]) ?? .held
        return Reservation(
            orderId: orderId,
            status: status,
            expiresAt: Self.date(microseconds: try row["expires_at_us"]),
            allocations: list,
            committedWarehouses: committed.sorted { $0.rawValue < $1.rawValue }
        )
    }

    static func requireReservation(_ orderId: OrderID, in connection: Connection) throws -> Reservation {
        guard let reservation = try reservation(orderId, in: connection) else { throw InventoryError.reservationNotFound(orderId) }
        return reservation
    }

    // MARK: - Stock

    public func availability(_ productId: ProductID) async throws -> Availability {
        let threshold = configuration.defaultLowStockThreshold
        return try await database.read { connection in
            let available = try Self.availableByWarehouse(productId, in: connection).values.reduce(0, +)
            let low = try Self.threshold(productId, default: threshold, in: connection)
            return Availability(productId: productId, available: available, status: StockStatus(available: available, threshold: low))
        }
    }

    public func stock(_ productId: ProductID) async throws -> ProductStock {
        let threshold = configuration.defaultLowStockThreshold
        return try await database.read { try Self.productStock(productId, defaultThreshold: threshold, in: $0) }
    }

    public func stockLevels(_ query: StockQuery) async throws -> StockPage {
        guard (1...100).contains(query.limit) else { throw InventoryError.invalid("must be between 1 and 100", field: "limit") }
        let fallback = configuration.defaultLowStockThreshold
        return try await database.read { connection in
            // Available units and threshold per product, filtered to the low ones when asked; the page's figures then
            // come from the same snapshot.
            let products = try connection.query(
                """
                SELECT s.product_id AS product_id FROM stock s LEFT JOIN threshold t ON t.product_id = s.product_id
                WHERE s.product_id > ?1
                GROUP BY s.product_id
                HAVING ?2 = 0 OR SUM(s.on_hand - s.reserved) <= COALESCE(MAX(t.low_stock), ?3)
                ORDER BY s.product_id LIMIT ?4
                """,
                [query.cursor ?? "", query.lowOnly ? 1 : 0, fallback, query.limit + 1]
            ).map { ProductID(rawValue: try $0["product_id"]) }
            let page = products.prefix(query.limit)
            let warehouses = try Self.warehouseOrder(in: connection)
            let items = try page.map { product in
                StockSummary(
                    ProductStock(
                        productId: product,
                        warehouses: try warehouses.map { try Self.level(product, $0, in: connection) },
                        lowStockThreshold: try Self.threshold(product, default: fallback, in: connection)
                    )
                )
            }
            return StockPage(items: items, nextCursor: products.count > query.limit ? page.last?.rawValue : nil)
        }
    }

    public func adjust(_ adjustment: StockAdjustment) async throws -> ProductStock {
        guard adjustment.delta != 0 else { throw InventoryError.invalid("delta must not be zero", field: "delta") }
        // A range, not `abs(delta) <= …`: `abs(Int.min)` has no value and stopped the process.
        guard (-1_000_000...1_000_000).contains(adjustment.delta) else {
            throw InventoryError.invalid("delta must be within ±1000000", field: "delta")
        }
        let reason = adjustment.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 200 else {
            throw InventoryError.invalid("a reason of 1 to 200 characters is required", field: "reason")
        }
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now())
        let threshold = configuration.defaultLowStockThreshold
        return try await database.write { connection in
            try Self.requireWarehouse(adjustment.warehouse, in: connection)
            let current = try Self.level(adjustment.productId, adjustment.warehouse, in: connection)
            let onHand = current.onHand + adjustment.delta
            guard onHand >= current.reserved else {
                throw InventoryError.adjustmentBelowReserved(adjustment.productId, adjustment.warehouse, onHand: onHand, reserved: current.reserved)
            }
            try ledger.move(adjustment.productId, adjustment.warehouse, .adjustment, onHand: adjustment.delta, reason: reason, in: connection)
            try ledger.publishChanges(in: connection)
            return try Self.productStock(adjustment.productId, defaultThreshold: threshold, in: connection)
        }
    }

    public func setThreshold(_ threshold: LowStockThreshold) async throws -> ProductStock {
        guard (0...1_000_000).contains(threshold.threshold) else {
            throw InventoryError.invalid("threshold must be between 0 and 1000000", field: "threshold")
        }
        let fallback = configuration.defaultLowStockThreshold
        return try await database.write { connection in
            try connection.execute(
                "INSERT INTO threshold (product_id, low_stock) VALUES (?, ?) ON CONFLICT (product_id) DO UPDATE SET low_stock = excluded.low_stock",
                [threshold.productId.rawValue, threshold.threshold]
            )
            return try Self.productStock(threshold.productId, defaultThreshold: fallback, in: connection)
        }
    }

    public func expectIncoming(_ incoming: IncomingStock) async throws -> ProductStock {
        try Self.checkReference(incoming.reference)
        let fallback = configuration.defaultLowStockThreshold
        return try await database.write { connection in
            try Self.requireWarehouse(incoming.warehouse, in: connection)
            try connection.execute(
                "INSERT INTO incoming (reference, product_id, warehouse_id, quantity) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [incoming.reference, incoming.productId.rawValue, incoming.warehouse.rawValue, incoming.quantity.value]
            )
            if connection.changes == 1 {
                try Self.ensureStockRow(incoming.productId, incoming.warehouse, in: connection)
                try connection.execute(
                    "UPDATE stock SET incoming = incoming + ? WHERE product_id = ? AND warehouse_id = ?",
                    [incoming.quantity.value, incoming.productId.rawValue, incoming.warehouse.rawValue]
                )
            }
            return try Self.productStock(incoming.productId, defaultThreshold: fallback, in: connection)
        }
    }

    public func receive(_ receipt: StockReceipt) async throws -> ProductStock {
        try Self.checkReference(receipt.reference)
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now())
        let fallback = configuration.defaultLowStockThreshold
        return try await database.write { connection in
            try Self.requireWarehouse(receipt.warehouse, in: connection)
            try connection.execute(
                "INSERT INTO receipt (reference, kind) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [receipt.reference, receipt.kind.rawValue]
            )
            if connection.changes == 1 {
                if receipt.kind == .purchaseOrder {
                    // What was announced as incoming is incoming no more, whatever quantity actually arrived.
                    if let announced = try connection.queryFirst(
                        "SELECT quantity FROM incoming WHERE reference = ? AND received = 0 AND product_id = ? AND warehouse_id = ?",
                        [receipt.reference, receipt.productId.rawValue, receipt.warehouse.rawValue]
                    ) {
                        try connection.execute("UPDATE incoming SET received = 1 WHERE reference = ?", [receipt.reference])
                        try connection.execute(
                            "UPDATE stock SET incoming = max(incoming - ?, 0) WHERE product_id = ? AND warehouse_id = ?",
                            [try announced["quantity"] as Int, receipt.productId.rawValue, receipt.warehouse.rawValue]
                        )
                    }
                }
                try ledger.move(
                    receipt.productId,
                    receipt.warehouse,
                    receipt.kind == .return ? .return : .receipt,
                    onHand: receipt.quantity.value,
                    reference: receipt.reference,
                    in: connection
                )
                try ledger.publishChanges(in: connection)
            }
            return try Self.productStock(receipt.productId, defaultThreshold: fallback, in: connection)
        }
    }

    public func warehouses() async throws -> [Warehouse] {
        try await database.read { connection in
            try connection.query("SELECT id, name, city, country, priority FROM warehouse ORDER BY priority, id").map { row in
                Warehouse(
                    id: WarehouseID(rawValue: try row["id"]),
                    name: try row["name"],
                    city: try row["city"],
                    country: try row["country"],
                    priority: try row["priority"]
                )
            }
        }
    }

    public func checkLedger() async throws -> LedgerCheck {
        try await database.read { connection in
            var checked = 0
            var mismatches: [LedgerCheck.Mismatch] = []
            try connection.forEach(
                """
                SELECT s.product_id, s.warehouse_id, s.on_hand, s.reserved,
                    coalesce(sum(m.on_hand_delta), 0) AS ledger_on_hand, coalesce(sum(m.reserved_delta), 0) AS ledger_reserved
                FROM stock s LEFT JOIN movement m ON m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id
                GROUP BY s.product_id, s.warehouse_id ORDER BY s.product_id, s.warehouse_id
                """
            ) { row in
                checked += 1
                let onHand: Int = try row["on_hand"]
                let reserved: Int = try row["reserved"]
                let ledgerOnHand: Int = try row["ledger_on_hand"]
                let ledgerReserved: Int = try row["ledger_reserved"]
                guard onHand != ledgerOnHand || reserved != ledgerReserved else { return }
                mismatches.append(
                    LedgerCheck.Mismatch(
                        productId: ProductID(rawValue: try row["product_id"]),
                        warehouse: WarehouseID(rawValue: try row["warehouse_id"]),
                        onHand: onHand,
                        ledgerOnHand: ledgerOnHand,
                        reserved: reserved,
                        ledgerReserved: ledgerReserved
                    )
                )
            }
            return LedgerCheck(checked: checked, mismatches: mismatches)
        }
    }

    // MARK: - Seeding

    /// Adds the warehouses (first start; existing ones are left as they are).
    public func addWarehouses(_ warehouses: [Warehouse]) async throws {
        try await database.write { connection in
            for warehouse in warehouses {
                try connection.execute(
                    "INSERT INTO warehouse (id, name, city, country, priority) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    [warehouse.id.rawValue, warehouse.name, warehouse.city, warehouse.country, warehouse.priority]
                )
            }
        }
    }

    /// Receives initial stock in one transaction, once per reference (`seed`): what a first start puts on the
    /// shelves, in the ledger like any receipt.
    /// - Returns: Whether it was received now (`false` when the reference was received before).
    @discardableResult
    public func receiveInitialStock(_ levels: [(ProductID, WarehouseID, Int)], reference: String) async throws -> Bool {
        let ledger = Ledger(outbox: outbox, defaultThreshold: configuration.defaultLowStockThreshold, at: now())
        return try await database.write { connection in
            try connection.execute("INSERT INTO receipt (reference, kind) VALUES (?, 'seed') ON CONFLICT DO NOTHING", [reference])
            guard connection.changes == 1 else { return false }
            for (product, warehouse, quantity) in levels {
                try Self.ensureStockRow(product, warehouse, in: connection)
                if quantity > 0 { try ledger.move(product, warehouse, .receipt, onHand: quantity, reference: reference, in: connection) }
            }
            try ledger.publishChanges(in: connection, all: Set(levels.map(\.0)))
            return true
        }
    }

    // MARK: - Reading helpers

    static func warehouseOrder(in connection: Connection) throws -> [WarehouseID] {
        try connection.query("SELECT id FROM warehouse ORDER BY priority, id").map { WarehouseID(rawValue: try $0["id"]) }
    }

    static func availableByWarehouse(_ product: ProductID, in connection: Connection) throws -> [WarehouseID: Int] {
        var result: [WarehouseID: Int] = [:]
        try connection.forEach("SELECT warehouse_id, on_hand - reserved AS available FROM stock WHERE product_id = ?", [product.rawValue]) { row in
            result[WarehouseID(rawValue: try row["warehouse_id"])] = try row["available"]
        }
        return result
    }

    static func level(_ product: ProductID, _ warehouse: WarehouseID, in connection: Connection) throws -> StockLevel {
        let row = try connection.queryFirst(
            "SELECT on_hand, reserved, incoming FROM stock WHERE product_id = ? AND warehouse_id = ?",
            [product.rawValue, warehouse.rawValue]
        )
        let onHand: Int = try row?["on_hand"] ?? 0
        let reserved: Int = try row?["reserved"] ?? 0
        return StockLevel(warehouse: warehouse, onHand: onHand, reserved: reserved, available: onHand - reserved, incoming: try row?["incoming"] ?? 0)
    }

    static func threshold(_ product: ProductID, default fallback: Int, in connection: Connection) throws -> Int {
        try connection.scalar(Int.self, "SELECT low_stock FROM threshold WHERE product_id = ?", [product.rawValue]) ?? fallback
    }

    static func productStock(_ product: ProductID, defaultThreshold: Int, in connection: Connection) throws -> ProductStock {
        let levels = try warehouseOrder(in: connection).map { try level(product, $0, in: connection) }
        return ProductStock(
            productId: product,
            warehouses: levels,
            lowStockThreshold: try threshold(product, default: defaultThreshold, in: connection)
        )
    }

    static func requireWarehouse(_ warehouse: WarehouseID, in connection: Connection) throws {
        guard try connection.queryFirst("SELECT 1 FROM warehouse WHERE id = ?", [warehouse.rawValue]) != nil else {
            throw InventoryError.warehouseNotFound(warehouse)
        }
    }

    static func ensureStockRow(_ product: ProductID, _ warehouse: WarehouseID, in connection: Connection) throws {
        try connection.execute(
            "INSERT INTO stock (product_id, warehouse_id, on_hand, reserved) VALUES (?, ?, 0, 0) ON CONFLICT DO NOTHING",
            [product.rawValue, warehouse.rawValue]
        )
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    static func checkReference(_ reference: String) throws {
        guard !reference.isEmpty, reference.utf8.count <= 128 else {
            throw InventoryError.invalid("a reference of 1 to 128 characters is required", field: "reference")
        }
    }
}
