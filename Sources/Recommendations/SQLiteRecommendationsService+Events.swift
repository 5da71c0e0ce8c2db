import CartAPI
import CatalogAPI
import Commerce
import Foundation
import IdentityAPI
import InventoryAPI
public import Messaging
import ModuleKit
import OrdersAPI
import ServiceKit
import Storage

/// What Recommendations does with other modules' events: it keeps its copy of products and their availability,
/// appends purchases and cart additions to its interaction log, and anonymises a deleted account's history.
///
/// One consumer group, `recommendations`, takes every type through one `TransactionalEventHandlers`, so each batch
/// the bus hands over (up to 64 events) is recorded in the inbox and applied in one write transaction: a redelivered
/// event is found in the inbox and changes nothing. Appending only inserts rows; the learner folds them afterwards.
extension SQLiteRecommendationsService {
    /// Every event type Recommendations takes, each with its handler.
    public var eventHandlers: TransactionalEventHandlers {
        let appended = appended
        var handlers = TransactionalEventHandlers()
        handlers.on(ProductCreated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(ProductUpdated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(ProductDeactivated.self) { event, _, connection in try Self.keep(event.product, in: connection) }
        handlers.on(StockLevelChanged.self) { event, _, connection in try Self.keep(event.availability, in: connection) }
        handlers.on(OrderPlaced.self) { event, envelope, connection in
            let customer = HistoryKey.customer(event.order.customerId.rawValue)
            for line in event.order.lines {
                try Self.append(.purchase, of: line.productId, by: customer, at: envelope.time, in: connection)
            }
            connection.afterCommit { appended.wake() }
        }
        handlers.on(CartItemAdded.self) { event, envelope, connection in
            // A guest's additions are one history per cart; a cart's id names no person.
            guard let customer = event.customerId.map({ HistoryKey.customer($0.rawValue) }) ?? envelope.subject.map(HistoryKey.guestCart) else {
                return
            }
            try Self.append(.cart, of: event.productId, by: customer, at: event.at, in: connection)
            connection.afterCommit { appended.wake() }
        }
        handlers.on(UserDeleted.self) { event, _, connection in
            try anonymise(CustomerID(rawValue: event.userId.rawValue), in: connection)
        }
        return handlers
    }

    /// Keeps what the catalog says of a product, unless the module knows a newer version: its name, category, price and
    /// whether it is on sale.
    static func keep(_ product: Product, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO item (product_id, name, category, price_minor, currency, active, version, changed)
            VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT items_version + 1 FROM learner WHERE id = 1))
            ON CONFLICT (product_id) DO UPDATE SET
                name = excluded.name, category = excluded.category, price_minor = excluded.price_minor, currency = excluded.currency,
                active = excluded.active, version = excluded.version,
                eligible = (excluded.active = 1 AND coalesce(item.available, 0) > 0), changed = excluded.changed
            WHERE excluded.version > item.version
            """,
            [
                product.id.rawValue, product.name, product.category.rawValue, product.price.minorUnits, product.price.currency, product.active,
                product.version,
            ]
        )
        try itemsChanged(in: connection)
    }

    /// Keeps what Inventory last said of a product's available units, in all warehouses together.
    static func keep(_ availability: Availability, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO item (product_id, available, changed) VALUES (?, ?, (SELECT items_version + 1 FROM learner WHERE id = 1))
            ON CONFLICT (product_id) DO UPDATE SET
                available = excluded.available, eligible = (item.active = 1 AND excluded.available > 0), changed = excluded.changed
            """,
            [availability.productId.rawValue, availability.available]
        )
        try itemsChanged(in: connection)
    }

    /// Moves `items_version` on to the version the product just kept was marked with.
    static func itemsChanged(in connection: Connection) throws {
        try connection.execute("UPDATE learner SET items_version = items_version + 1 WHERE id = 1")
    }

    /// Appends one interaction to the log; a product not heard of yet gets a row without a name.
    static func append(_ kind: InteractionKind, of product: ProductID, by customer: String?, at time: Date, in connection: Connection) throws {
        try connection.execute("INSERT INTO item (product_id) VALUES (?) ON CONFLICT (product_id) DO NOTHING", [product.rawValue])
        guard let item = try connection.scalar(Int64.self, "SELECT key FROM item WHERE product_id = ?", [product.rawValue]) else { return }
        try connection.execute(
            "INSERT INTO interaction (customer, item, kind, at_us) VALUES (?, ?, ?, ?)",
            [customer, item, kind.rawValue, microseconds(time)]
        )
    }

    /// Anonymises a deleted account's history: its log rows and interests move to a random key that names no one, so
    /// what the shop learned from them stays (and a rebuild finds it again) but no row leads to the person; dead letters
    /// about them go. Once that commits, the database log is truncated (``ErasureLogTruncator``), so no earlier
    /// version of a page holding the customer's id survives in it.
    func anonymise(_ customer: CustomerID, in connection: Connection) throws {
        let key = HistoryKey.customer(customer.rawValue)
        let anonymous = RandomID.make(prefix: "x:")
        // Only purchases are indexed by customer, so this reads the whole log: erasures are rare, appends are not.
        try connection.execute("UPDATE interaction SET customer = ? WHERE customer = ?", [anonymous, key])
        try connection.execute("UPDATE interest SET customer = ? WHERE customer = ?", [anonymous, key])
        try MessagingSchema.forget(subject: customer.rawValue, in: connection)
        let erasures = erasures
        connection.afterCommit { erasures.request() }
    }
}

/// Random identifiers with a prefix: 20 characters of Crockford's base 32 (100 bits) from the system's generator, so
/// an anonymised history's key says nothing about whose it was.
enum RandomID {
    static func make(prefix: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] })
    }
}
