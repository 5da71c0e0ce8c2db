import CatalogAPI
import Commerce
import IdentityAPI
import InventoryAPI
public import Messaging
import ModuleKit
import PaymentsAPI
import ServiceKit
import Storage

/// What the cart does with other modules' events: it keeps its copy of products, stock and memberships, and erases a
/// deleted account's cart.
///
/// One consumer group, `cart`, takes every type through one `TransactionalEventHandlers`, so each batch the bus hands
/// over (up to 64 events, as when the seed catalog's 540 products arrive) is recorded in the inbox and applied in one
/// write transaction, and one subject's events (a product's created before its updated) are applied in order.
extension SQLiteCartService {
    /// Every event type the cart takes, each with its handler.
    public var eventHandlers: TransactionalEventHandlers {
        var handlers = TransactionalEventHandlers()
        handlers.on(ProductCreated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(ProductUpdated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(ProductDeactivated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(StockLevelChanged.self) { event, _, connection in try Self.keep(event.availability, in: connection) }
        handlers.on(SubscriptionStarted.self) { event, _, connection in try keepMembership(event.subscription, in: connection) }
        handlers.on(SubscriptionRenewed.self) { event, _, connection in try keepMembership(event.subscription, in: connection) }
        handlers.on(SubscriptionRenewalFailed.self) { event, _, connection in try keepMembership(event.subscription, in: connection) }
        handlers.on(SubscriptionLapsed.self) { event, _, connection in try keepMembership(event.subscription, in: connection) }
        handlers.on(SubscriptionCancelled.self) { event, _, connection in try keepMembership(event.subscription, in: connection) }
        handlers.on(UserDeleted.self) { event, _, connection in
            try erase(CustomerID(rawValue: event.userId.rawValue), in: connection)
        }
        return handlers
    }

    /// Keeps what Inventory last said of a product's available units, in all warehouses together.
    static func keep(_ availability: Availability, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO availability (product_id, available) VALUES (?, ?)
            ON CONFLICT (product_id) DO UPDATE SET available = excluded.available
            """,
            [availability.productId.rawValue, availability.available]
        )
    }

    /// Keeps whether the subscription's customer is a member now (active, or past due while a renewal is retried): a
    /// member has a row, anyone else none, so a subscription ending after the account was erased stores nothing.
    func keepMembership(_ subscription: PaymentsAPI.Subscription, in connection: Connection) throws {
        let customer = subscription.customerId.rawValue
        if subscription.status.isMember {
            try connection.execute(
                """
                INSERT INTO membership (customer_id, updated_us) VALUES (?, ?)
                ON CONFLICT (customer_id) DO UPDATE SET updated_us = excluded.updated_us
                """,
                [customer, Self.microseconds(now())]
            )
        } else {
            try connection.execute("DELETE FROM membership WHERE customer_id = ?", [customer])
        }
    }

    /// Erases what the cart holds about a deleted account: the customer's cart with its lines and their membership,
    /// the data of the cart's events still in the outbox (they name the customer), and any dead letter about them, in
    /// the inbox's transaction; once that commits, the database log is truncated (``ErasureLogTruncator``), so no
    /// earlier version of a deleted page survives in it. No trace of the erasure is kept: the customer id is then
    /// nowhere in the file.
    func erase(_ customer: CustomerID, in connection: Connection) throws {
        let key = customer.rawValue
        // The cart's events have the cart as their subject.
        for row in try connection.query("SELECT id FROM cart WHERE customer_id = ?", [key]) {
            try MessagingSchema.forget(subject: try row["id"] as String, in: connection)
        }
        try connection.execute("DELETE FROM cart_line WHERE cart_id IN (SELECT id FROM cart WHERE customer_id = ?)", [key])
        try connection.execute("DELETE FROM cart WHERE customer_id = ?", [key])
        try connection.execute("DELETE FROM membership WHERE customer_id = ?", [key])
        try MessagingSchema.forget(subject: key, in: connection)
        let erasures = erasures
        connection.afterCommit { erasures.request() }
    }
}
