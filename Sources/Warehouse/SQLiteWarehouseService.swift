import Commerce
public import Foundation
public import InventoryAPI
public import Messaging
public import ServiceKit
public import Storage
public import Telemetry
public import WarehouseAPI

/// Warehouse over its own SQLite database: shipments, purchase orders and returns, each change committed with its
/// event in the outbox.
///
/// Whatever must reach Inventory is decided and recorded here first, then Inventory is told, and only its answer
/// finishes the step (`shipping` becomes `shipped`, `pending` becomes `ordered`, …). Inventory's operations are
/// idempotent per order and warehouse or per reference, so telling it again after a crash or a lost answer
/// changes nothing there; a claim on the row (`claimed_until_us`) keeps concurrent callers from telling it twice
/// while one call is under way.
public struct SQLiteWarehouseService: WarehouseService {
    /// What the service is run with.
    public struct Configuration: Sendable {
        /// The available units a purchase order brings a product's warehouse stock up to.
        public var targetStock: Int
        /// How long fulfilment keeps an order's reservation held, so the stock stays put while it is picked and
        /// packed (a checkout's own hold is minutes).
        public var fulfilmentHold: Duration
        /// How long one caller may take to tell Inventory before another may try; longer than any call with its
        /// retries, so only a crashed caller's claim runs out.
        public var claim: Duration
        /// Carrier steps between a purchase order reaching the supplier and its arrival.
        public var supplierLeadSteps: Int
        /// The simulated carrier's name.
        public var carrier: String

        /// Creates a configuration.
        public init(
            targetStock: Int = 50,
            fulfilmentHold: Duration = .seconds(14 * 24 * 3600),
            claim: Duration = .seconds(60),
            supplierLeadSteps: Int = 3,
            carrier: String = "Emporium Parcel"
        ) {
            self.targetStock = targetStock
            self.fulfilmentHold = fulfilmentHold
            self.claim = claim
            self.supplierLeadSteps = supplierLeadSteps
            self.carrier = carrier
        }
    }

    /// Warehouse's database.
    public let database: Database
    /// Its outbox, for the relay to publish.
    public let outbox: Outbox
    let inbox: Inbox
    let inventory: any InventoryService
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date
    static let source = "/emporium/warehouse"

    /// Warehouse over `database`, migrated with ``ModuleKit/Module/warehouse``'s migrations.
    /// - Parameters:
    ///   - database: Its database.
    ///   - outbox: Where its events go.
    ///   - inbox: Where the stock-low events it handled are recorded.
    ///   - inventory: Inventory, reached through its API.
    ///   - configuration: Target stock, holds and the carrier.
    ///   - logger: Where failures of background steps go.
    ///   - now: The wall clock, for timestamps and claims.
    public init(
        database: Database,
        outbox: Outbox,
        inbox: Inbox,
        inventory: any InventoryService,
        configuration: Configuration = Configuration(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.outbox = outbox
        self.inbox = inbox
        self.inventory = inventory
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    // MARK: - Fulfilment

    public func fulfil(_ request: FulfilmentRequest) async throws -> [Shipment] {
        let orderId = request.orderId
        guard !orderId.rawValue.isEmpty else { throw WarehouseError.invalid("must not be empty", field: "orderId") }
        let existing = try await database.read { try Self.shipments(ofOrder: orderId, in: $0) }
        if !existing.isEmpty { return existing }
        let reservation = try await fulfilmentCall(orderId) { try await inventory.reservation(orderId) }
        guard reservation.status == .held else {
            throw WarehouseError.orderNotFulfillable(orderId, reason: "its reservation is \(reservation.status.rawValue)")
        }
        let parcels = try Self.parcels(reservation.allocations)
        guard !parcels.isEmpty else { throw WarehouseError.orderNotFulfillable(orderId, reason: "its reservation allocates no stock") }
        let hold = Int(configuration.fulfilmentHold.components.seconds)
        _ = try await fulfilmentCall(orderId) { try await inventory.extend(ReservationExtension(orderId: orderId, holdSeconds: hold)) }
        let stamp = Self.microseconds(now())
        let outbox = outbox
        return try await database.write { connection in
            // A concurrent fulfilment of the same order may have committed meanwhile: its shipments are the answer.
            let raced = try Self.shipments(ofOrder: orderId, in: connection)
            if !raced.isEmpty { return raced }
            for (warehouse, lines) in parcels {
                let id = ShipmentID(rawValue: "shp-" + EventID.make())
                try connection.execute(
                    """
                    INSERT INTO shipment (id, order_id, warehouse, status, created_us, updated_us)
                    VALUES (?, ?, ?, 'created', ?, ?)
                    """,
                    [id.rawValue, orderId.rawValue, warehouse.rawValue, stamp, stamp]
                )
                for line in lines {
                    try connection.execute(
                        "INSERT INTO shipment_line (shipment_id, product_id, quantity) VALUES (?, ?, ?)",
                        [id.rawValue, line.productId.rawValue, line.quantity.value]
                    )
                }
                let shipment = try Self.requireShipment(id, in: connection)
                try outbox.enqueue(Envelope(ShipmentCreated(shipment: shipment), source: Self.source, subject: orderId.rawValue), in: connection)
            }
            return try Self.shipments(ofOrder: orderId, in: connection)
        }
    }

    /// A reservation's allocations as one list of lines per warehouse, warehouses in the order Inventory allocated
    /// them (its priority), lines by product.
    static func parcels(_ allocations: [Allocation]) throws -> [(WarehouseID, [ShipmentLine])] {
        var warehouses: [WarehouseID] = []
        var units: [WarehouseID: [ProductID: Int]] = [:]
        for allocation in allocations where allocation.quantity > 0 {
            if units[allocation.warehouse] == nil { warehouses.append(allocation.warehouse) }
            units[allocation.warehouse, default: [:]][allocation.productId, default: 0] += allocation.quantity
        }
        return try warehouses.map { warehouse in
            let lines = try units[warehouse, default: [:]].sorted { $0.key < $1.key }.map { product, count in
                ShipmentLine(productId: product, quantity: try Quantity(count))
            }
            return (warehouse, lines)
        }
    }

    /// Runs a fulfilment's call to Inventory, saying in Warehouse's words why the order cannot be fulfilled.
    private func fulfilmentCall<T>(_ orderId: OrderID, _ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch InventoryError.reservationNotFound(_) {
            throw WarehouseError.orderNotFulfillable(orderId, reason: "it holds no stock")
        } catch InventoryError.reservationNotHeld(_, let status) {
            throw WarehouseError.orderNotFulfillable(orderId, reason: "its reservation is \(status.rawValue)")
        } catch let error as InventoryError {
            throw WarehouseError.orderNotFulfillable(orderId, reason: Self.clause(error))
        } catch {
            throw WarehouseError.inventoryUnavailable("order \(orderId.rawValue) is not fulfilled yet; send the request again")
        }
    }

    // MARK: - Shipments

    public func shipment(_ id: ShipmentID) async throws -> Shipment {
        guard let shipment = try await database.read({ try Self.shipment(id, in: $0) }) else { throw WarehouseError.shipmentNotFound(id) }
        return shipment
    }

    public func shipments(_ query: ShipmentQuery) async throws -> [Shipment] {
        guard (1...1000).contains(query.limit) else { throw WarehouseError.invalid("must be between 1 and 1000", field: "limit") }
        return try await database.read { connection in
            try Self.decodeShipments(
                try connection.query(
                    """
                    SELECT s.*, l.product_id, l.quantity
                    FROM (SELECT * FROM shipment WHERE :status IS NULL OR status = :status ORDER BY seq DESC LIMIT :limit) AS s
                    JOIN shipment_line AS l ON l.shipment_id = s.id
                    ORDER BY s.seq DESC, l.product_id
                    """,
                    ["status": query.status?.rawValue, "limit": query.limit]
                )
            )
        }
    }

    public func advance(_ id: ShipmentID) async throws -> Shipment {
        try await step(try await shipment(id))
    }

    /// Moves `shipment` one step on from the status it has here; if it has moved on meanwhile, the step was
    /// someone else's to take and the shipment is returned as it is now.
    func step(_ shipment: Shipment) async throws -> Shipment {
        switch shipment.status {
        case .created: return try await move(shipment.id, from: .created, to: .picking)
        case .picking: return try await move(shipment.id, from: .picking, to: .packed)
        case .packed: return try await handToCarrier(shipment.id)
        case .shipping: return try await finishShipping(shipment.id)
        case .shipped: return try await move(shipment.id, from: .shipped, to: .delivered)
        case .delivered, .cancelled: throw WarehouseError.shipmentFinished(shipment.id, shipment.status)
        }
    }

    /// One step that needs nothing from Inventory; delivery publishes its event.
    private func move(_ id: ShipmentID, from: ShipmentStatus, to: ShipmentStatus) async throws -> Shipment {
        let stamp = Self.microseconds(now())
        let outbox = outbox
        return try await database.write { connection in
            try connection.execute(
                "UPDATE shipment SET status = :to, updated_us = :now WHERE id = :id AND status = :from",
                ["to": to.rawValue, "now": stamp, "id": id.rawValue, "from": from.rawValue]
            )
            let moved = connection.changes == 1
            let shipment = try Self.requireShipment(id, in: connection)
            if moved && to == .delivered {
                try outbox.enqueue(
                    Envelope(ShipmentDelivered(shipment: shipment), source: Self.source, subject: shipment.orderId.rawValue),
                    in: connection
                )
            }
            return shipment
        }
    }

    /// `packed → shipping`: the carrier and tracking number are fixed and the caller claims the shipment, then
    /// Inventory commits its stock and the shipment is `shipped`.
    private func handToCarrier(_ id: ShipmentID) async throws -> Shipment {
        let stamp = Self.microseconds(now())
        let until = stamp + configuration.claim.clampedMicroseconds
        let carrier = configuration.carrier
        let tracking = Self.trackingNumber()
        let claimed = try await database.write { connection in
            try connection.execute(
                """
                UPDATE shipment SET status = 'shipping', carrier = :carrier, tracking_number = :tracking, claimed_until_us = :until,
                    updated_us = :now
                WHERE id = :id AND status = 'packed'
                """,
                ["carrier": carrier, "tracking": tracking, "until": until, "now": stamp, "id": id.rawValue]
            )
            return (connection.changes == 1, try Self.requireShipment(id, in: connection))
        }
        guard claimed.0 else { return claimed.1 }
        return try await commitAndShip(claimed.1, claim: until)
    }

    /// `shipping → shipped` when nobody else is telling Inventory right now: after a crash, a lost answer or a
    /// refusal to wait, this is the retry.
    func finishShipping(_ id: ShipmentID) async throws -> Shipment {
        let stamp = Self.microseconds(now())
        let until = stamp + configuration.claim.clampedMicroseconds
        let claimed = try await database.write { connection in
            try connection.execute(
                """
                UPDATE shipment SET claimed_until_us = :until
                WHERE id = :id AND status = 'shipping' AND (claimed_until_us IS NULL OR claimed_until_us <= :now)
                """,
                ["until": until, "id": id.rawValue, "now": stamp]
            )
            return (connection.changes == 1, try Self.requireShipment(id, in: connection))
        }
        guard claimed.0 else { return claimed.1 }
        return try await commitAndShip(claimed.1, claim: until)
    }

    /// Commits the shipment's stock out of Inventory and marks it shipped, with its event; the caller holds the
    /// claim `until`.
    private func commitAndShip(_ shipment: Shipment, claim until: Int64) async throws -> Shipment {
        let id = shipment.id
        do {
            _ = try await inventory.commit(StockCommitment(orderId: shipment.orderId, warehouse: shipment.warehouse))
        } catch let error as InventoryError {
            // Inventory will not let the stock go (the reservation was released or expired): the parcel goes back
            // on the packing table, where it can be cancelled.
            let stamp = Self.microseconds(now())
            try await database.write { connection in
                try connection.execute(
                    """
                    UPDATE shipment SET status = 'packed', carrier = NULL, tracking_number = NULL, claimed_until_us = NULL, updated_us = ?
                    WHERE id = ? AND status = 'shipping'
                    """,
                    [stamp, id.rawValue]
                )
            }
            throw WarehouseError.stockNotCommitted(id, reason: Self.clause(error))
        } catch {
            // Released at once, so the next advance or the recovery loop need not wait for the claim to run out.
            try? await database.write { connection in
                try connection.execute(
                    "UPDATE shipment SET claimed_until_us = NULL WHERE id = ? AND claimed_until_us = ?",
                    [id.rawValue, until]
                )
            }
            throw WarehouseError.inventoryUnavailable(
                "shipment \(id.rawValue) is with the carrier and counts as shipped once Inventory has committed its stock"
            )
        }
        let stamp = Self.microseconds(now())
        let outbox = outbox
        return try await database.write { connection in
            try connection.execute(
                "UPDATE shipment SET status = 'shipped', claimed_until_us = NULL, updated_us = ? WHERE id = ? AND status = 'shipping'",
                [stamp, id.rawValue]
            )
            let moved = connection.changes == 1
            let shipped = try Self.requireShipment(id, in: connection)
            // Only the caller that moved it publishes: a second confirmation of the same commit changes nothing.
            if moved {
                try outbox.enqueue(
                    Envelope(
                        ShipmentShipped(shipment: shipped, carrier: shipped.carrier ?? "", trackingNumber: shipped.trackingNumber ?? ""),
                        source: Self.source,
                        subject: shipped.orderId.rawValue
                    ),
                    in: connection
                )
            }
            return shipped
        }
    }

    public func cancel(_ id: ShipmentID) async throws -> Shipment {
        let stamp = Self.microseconds(now())
        let outbox = outbox
        return try await database.write { connection in
            guard let shipment = try Self.shipment(id, in: connection) else { throw WarehouseError.shipmentNotFound(id) }
            switch shipment.status {
            case .cancelled:
                return shipment
            case .shipping, .shipped, .delivered:
                throw WarehouseError.shipmentAlreadyShipped(id, shipment.status)
            case .created, .picking, .packed:
                try connection.execute("UPDATE shipment SET status = 'cancelled', updated_us = ? WHERE id = ?", [stamp, id.rawValue])
                let cancelled = try Self.requireShipment(id, in: connection)
                try outbox.enqueue(
                    Envelope(ShipmentCancelled(shipment: cancelled), source: Self.source, subject: cancelled.orderId.rawValue),
                    in: connection
                )
                return cancelled
            }
        }
    }

    // MARK: - Helpers

    /// A tracking number of the simulated carrier: `EP` and twelve digits.
    static func trackingNumber() -> String {
        "EP" + (0..<12).map { _ in String(Int.random(in: 0...9)) }.joined()
    }

    /// An Inventory failure as a clause for Warehouse's sentences: its detail without the capital and full stop.
    static func clause(_ error: InventoryError) -> String {
        var text = error.detail
        if text.hasSuffix(".") { text.removeLast() }
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
