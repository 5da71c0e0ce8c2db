import Foundation
import Messaging
import Storage
import TestSupport
import Testing

/// Two modules with their own databases, talking only through the bus and their outboxes: "stock" reserves and,
/// when "payments" declines, compensates by releasing the reservation.
@Suite struct MiniSagaTests {
    struct Reserved: DomainEvent {
        static let eventType = "stock.reserved.v1"
        let orderID: String
        let amount: Int
    }

    struct PaymentDeclined: DomainEvent {
        static let eventType = "payments.declined.v1"
        let orderID: String
    }

    struct PaymentAuthorized: DomainEvent {
        static let eventType = "payments.authorized.v1"
        let orderID: String
    }

    @Test func aDeclinedPaymentReleasesTheReservationAndAnAuthorizedOneCommitsIt() async throws {
        let directory = try TemporaryDirectory()
        let stockDB = try Database(path: directory.path("stock.sqlite"))
        let paymentsDB = try Database(path: directory.path("payments.sqlite"))
        var stockSchema = Migrator()
        MessagingSchema.register(in: &stockSchema)
        stockSchema.add(
            "stock-1",
            sql: """
                CREATE TABLE stock (sku TEXT PRIMARY KEY, available INTEGER NOT NULL CHECK (available >= 0));
                CREATE TABLE reservation (order_id TEXT PRIMARY KEY, sku TEXT NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL);
                INSERT INTO stock (sku, available) VALUES ('lamp', 10);
                """
        )
        try stockSchema.migrate(stockDB)
        var paymentsSchema = Migrator()
        MessagingSchema.register(in: &paymentsSchema)
        paymentsSchema.add("payments-1", sql: "CREATE TABLE payment (order_id TEXT PRIMARY KEY, status TEXT NOT NULL)")
        try paymentsSchema.migrate(paymentsDB)

        let bus = InProcessMessageBus()
        let stockOutbox = Outbox(database: stockDB, name: "stock")
        let paymentsOutbox = Outbox(database: paymentsDB, name: "payments")
        let stockInbox = Inbox(database: stockDB, consumer: "stock")
        let paymentsInbox = Inbox(database: paymentsDB, consumer: "payments")

        // Payments: authorizes amounts up to 100, declines the rest; its decision and event commit together.
        bus.subscribe(Subscription(topic: Reserved.eventType, group: "payments")) { envelope in
            try await paymentsInbox.process(envelope) { conn in
                let reserved = try envelope.decode(Reserved.self)
                let approved = reserved.amount <= 100
                try conn.execute("INSERT INTO payment (order_id, status) VALUES (?, ?)", [reserved.orderID, approved ? "authorized" : "declined"])
                let reply: Envelope =
                    approved
                    ? try Envelope(PaymentAuthorized(orderID: reserved.orderID), source: "/payments", subject: reserved.orderID)
                    : try Envelope(PaymentDeclined(orderID: reserved.orderID), source: "/payments", subject: reserved.orderID)
                try paymentsOutbox.enqueue(reply, in: conn)
            }
        }
        // Stock: compensates a decline, commits an authorization; one consumer group for both, typed.
        var stockHandlers = TransactionalEventHandlers()
        stockHandlers.on(PaymentDeclined.self) { declined, _, conn in
            try conn.execute(
                "UPDATE stock SET available = available + (SELECT quantity FROM reservation WHERE order_id = ?) WHERE sku = 'lamp'",
                [declined.orderID]
            )
            try conn.execute("UPDATE reservation SET status = 'released' WHERE order_id = ?", [declined.orderID])
        }
        stockHandlers.on(PaymentAuthorized.self) { authorized, _, conn in
            try conn.execute("UPDATE reservation SET status = 'committed' WHERE order_id = ?", [authorized.orderID])
        }
        EventSubscription(through: stockInbox, stockHandlers).subscribe(as: "stock", on: bus)

        func reserve(order: String, quantity: Int, amount: Int) async throws {
            try await stockDB.write { conn in
                try conn.execute("UPDATE stock SET available = available - ? WHERE sku = 'lamp'", [quantity])
                try conn.execute("INSERT INTO reservation (order_id, sku, quantity, status) VALUES (?, 'lamp', ?, 'held')", [order, quantity])
                try stockOutbox.enqueue(try Envelope(Reserved(orderID: order, amount: amount), source: "/stock", subject: order), in: conn)
            }
        }

        try await withRunningBus(bus) {
            try await withThrowingTaskGroup(of: Void.self) { relays in
                let stockRelay = OutboxRelay(outbox: stockOutbox, bus: bus)
                let paymentsRelay = OutboxRelay(outbox: paymentsOutbox, bus: bus)
                relays.addTask { try await stockRelay.run() }
                relays.addTask { try await paymentsRelay.run() }
                try await reserve(order: "o-declined", quantity: 3, amount: 500)
                try await reserve(order: "o-ok", quantity: 2, amount: 40)
                try await waitUntil("both sagas finish") {
                    let statuses = try await stockDB.read {
                        try $0.query("SELECT status FROM reservation ORDER BY order_id").map { try $0["status"] as String }
                    }
                    return statuses == ["released", "committed"]
                }
                try await waitUntil("both outboxes are drained") {
                    let stockBacklog = try await stockRelay.progress().reduce(0) { $0 + $1.pending }
                    let paymentsBacklog = try await paymentsRelay.progress().reduce(0) { $0 + $1.pending }
                    return stockBacklog == 0 && paymentsBacklog == 0
                }
                relays.cancelAll()
            }
        }

        // Final state, read from each module's own file.
        let stock = try Database(path: directory.path("stock.sqlite"))
        #expect(try await stock.read { try $0.scalar(Int.self, "SELECT available FROM stock WHERE sku = 'lamp'") } == 8)
        let reservations = try await stock.read { conn in
            try conn.query("SELECT order_id, status FROM reservation ORDER BY order_id").map {
                [try $0["order_id"] as String, try $0["status"] as String]
            }
        }
        #expect(reservations == [["o-declined", "released"], ["o-ok", "committed"]])
        let payments = try Database(path: directory.path("payments.sqlite"))
        let decisions = try await payments.read { conn in
            try conn.query("SELECT order_id, status FROM payment ORDER BY order_id").map {
                [try $0["order_id"] as String, try $0["status"] as String]
            }
        }
        #expect(decisions == [["o-declined", "declined"], ["o-ok", "authorized"]])
        #expect(try await stock.read { try $0.scalar(Int.self, "SELECT count(*) FROM inbox") } == 2)
        #expect(try await payments.read { try $0.scalar(Int.self, "SELECT count(*) FROM inbox") } == 2)
    }
}
