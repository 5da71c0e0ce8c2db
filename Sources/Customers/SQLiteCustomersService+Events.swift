import Commerce
import CustomersAPI
import Foundation
import IdentityAPI
public import Messaging
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import WarehouseAPI

/// What Customers does with other modules' events: profiles from registrations, memberships from subscriptions,
/// notifications from payments, shipments and memberships, and erasure when an account is deleted.
///
/// The handlers are asynchronous (`EventHandlers`), each recording its event in the inbox within its own write
/// transaction: what must follow a commit (writing mail files, truncating the log after an erasure) can then
/// follow it, and a customer whose registration has not arrived yet can be fetched from Identity first.
extension SQLiteCustomersService {
    /// Every event type Customers takes, each with its handler.
    public var eventHandlers: EventHandlers {
        var handlers = EventHandlers()
        handlers.on(UserRegistered.self) { event, envelope in try await register(event.user, envelope) }
        handlers.on(UserDeleted.self) { event, envelope in try await erase(CustomerID(rawValue: event.userId.rawValue), envelope) }
        handlers.on(PaymentAuthorized.self) { event, envelope in try await learnOrder(of: event.intent, envelope) }
        handlers.on(PaymentRefunded.self) { event, envelope in
            try await notifyAbout(event.intent.orderId, customer: event.intent.customerId, envelope) { profile in
                [Notices.refunded(event.refund, order: event.intent.orderId, card: event.intent.card, name: profile.displayName)]
            }
        }
        handlers.on(RefundFailed.self) { event, envelope in
            try await notifyAbout(event.intent.orderId, customer: event.intent.customerId, envelope) { profile in
                [Notices.refundFailed(event.refund, order: event.intent.orderId, name: profile.displayName)]
            }
        }
        handlers.on(ShipmentShipped.self) { event, envelope in
            try await notifyAbout(event.shipment.orderId, customer: nil, envelope) { [Notices.shipped(event, name: $0.displayName)] }
        }
        handlers.on(ShipmentDelivered.self) { event, envelope in
            try await notifyAbout(event.shipment.orderId, customer: nil, envelope) { [Notices.delivered(event, name: $0.displayName)] }
        }
        handlers.on(OrderPlaced.self) { event, envelope in
            try await notifyAbout(nil, customer: event.order.customerId, envelope) { [Notices.orderConfirmed(event.order, name: $0.displayName)] }
        }
        handlers.on(OrderCancelled.self) { event, envelope in
            try await notifyAbout(nil, customer: event.order.customerId, envelope) { [Notices.orderCancelled(event.order, name: $0.displayName)] }
        }
        handlers.on(OrderReturned.self) { event, envelope in
            try await notifyAbout(nil, customer: event.order.customerId, envelope) { [Notices.orderReturned(event.order, name: $0.displayName)] }
        }
        handlers.on(SubscriptionStarted.self) { event, envelope in
            try await keepMembership(event.subscription, envelope) { [Notices.membershipStarted(event.subscription, name: $0.displayName)] }
        }
        handlers.on(SubscriptionRenewed.self) { event, envelope in
            try await keepMembership(event.subscription, envelope) { [Notices.membershipRenewed(event.subscription, name: $0.displayName)] }
        }
        handlers.on(SubscriptionRenewalFailed.self) { event, envelope in
            try await keepMembership(event.subscription, envelope) { [Notices.renewalFailed(event.subscription, name: $0.displayName)] }
        }
        handlers.on(SubscriptionLapsed.self) { event, envelope in
            try await keepMembership(event.subscription, envelope) { profile in
                [
                    Notices.membershipLapsed(event.subscription, name: profile.displayName),
                    Notices.rejoinOffer(event.subscription, name: profile.displayName),
                ]
            }
        }
        handlers.on(SubscriptionCancelled.self) { event, envelope in
            try await keepMembership(event.subscription, envelope) { profile in
                [
                    Notices.membershipCancelled(event.subscription, name: profile.displayName),
                    Notices.rejoinOffer(event.subscription, name: profile.displayName),
                ]
            }
        }
        return handlers
    }

    // MARK: - Handlers

    /// A registration: the customer's profile and welcome, unless a first call made them already.
    func register(_ user: User, _ envelope: Envelope) async throws {
        let customer = CustomerID(rawValue: user.id.rawValue)
        try await inbox.process(envelope) { connection in _ = try createProfile(customer, email: user.email, in: connection) }
        await deliverPendingMail()
    }

    /// Keeps which customer an order belongs to, from the intent that pays for it: shipment and refund events name
    /// only the order.
    func learnOrder(of intent: PaymentIntent, _ envelope: Envelope) async throws {
        guard let order = intent.orderId, let customer = intent.customerId else { return }
        let stamp = Self.microseconds(now())
        try await inbox.process(envelope) { connection in
            guard try !Self.isErased(customer, in: connection) else { return }
            try connection.execute(
                "INSERT INTO order_customer (order_id, customer_id, recorded_us) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [order.rawValue, customer.rawValue, stamp]
            )
        }
    }

    /// Notifies the customer of `order` (or `customer`, when the event names them): an event for an order whose
    /// customer is unknown is skipped.
    func notifyAbout(
        _ order: OrderID?,
        customer named: CustomerID?,
        _ envelope: Envelope,
        drafts: @escaping @Sendable (CustomerProfile) -> [NotificationDraft]
    ) async throws {
        var customer: CustomerID? = nil
        if let order {
            customer = try await database.read { connection in
                try connection.scalar(String.self, "SELECT customer_id FROM order_customer WHERE order_id = ?", [order.rawValue])
            }.map(CustomerID.init(rawValue:))
        }
        guard let customer = customer ?? named else {
            logger.debug(
                "event skipped: no customer is known for its order",
                metadata: ["event": "\(envelope.type)", "order": "\(order?.rawValue ?? "none")"]
            )
            return
        }
        try await handle(envelope, for: customer, drafts: drafts)
    }

    /// Keeps the customer's membership as the subscription now stands, and notifies them.
    func keepMembership(
        _ subscription: PaymentsAPI.Subscription,
        _ envelope: Envelope,
        drafts: @escaping @Sendable (CustomerProfile) -> [NotificationDraft]
    ) async throws {
        let stamp = Self.microseconds(now())
        try await handle(envelope, for: subscription.customerId, drafts: drafts) { connection in
            let status = MembershipStatus(rawValue: subscription.status.rawValue) ?? .none
            let since = subscription.status.isMember ? subscription.createdAt : (subscription.endedAt ?? subscription.currentPeriodEnd)
            try connection.execute(
                """
                INSERT INTO membership (customer_id, status, plan, since_us, updated_us) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (customer_id) DO UPDATE SET
                    status = excluded.status, plan = excluded.plan, since_us = excluded.since_us, updated_us = excluded.updated_us
                """,
                [subscription.customerId.rawValue, status.rawValue, subscription.plan.rawValue, Self.microseconds(since), stamp]
            )
        }
    }

    /// Handles an event about `customer`: `apply` changes Customers' own state, then `drafts`' notifications go to
    /// the customer's feed and mail, all in the inbox's transaction; the mail files follow the commit. A customer
    /// whose registration has not arrived yet gets their profile from Identity first, so that they can be
    /// addressed; nothing happens for an erased customer.
    func handle(
        _ envelope: Envelope,
        for customer: CustomerID,
        drafts: @escaping @Sendable (CustomerProfile) -> [NotificationDraft],
        apply: @escaping @Sendable (Connection) throws -> Void = { _ in }
    ) async throws {
        let needsProfile = try await database.read { connection in
            try Self.profile(customer, in: connection) == nil && !Self.isErased(customer, in: connection)
        }
        if needsProfile {
            do {
                _ = try await ensureProfile(customer)
            } catch CustomersError.profileNotFound(_) {
                logger.debug("no profile to notify: Identity knows no such user", metadata: ["event": "\(envelope.type)", "customer": "\(customer)"])
            }
        }
        try await inbox.process(envelope) { connection in
            guard try !Self.isErased(customer, in: connection) else { return }
            try apply(connection)
            guard let profile = try Self.profile(customer, in: connection) else { return }
            try notify(profile, drafts(profile), in: connection)
        }
        await deliverPendingMail()
    }

    /// Records `drafts` as notifications to `profile`'s customer, with a pending mail each when mail is spooled; a
    /// marketing draft only when the customer opted in.
    func notify(_ profile: CustomerProfile, _ drafts: [NotificationDraft], in connection: Connection) throws {
        let stamp = Self.microseconds(now())
        for draft in drafts where draft.category == .transactional || profile.marketingOptIn {
            let id = RandomID.make(prefix: "ntf_")
            try connection.execute(
                "INSERT INTO notification (id, customer_id, category, topic, subject, body, created_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [id, profile.customerId.rawValue, draft.category.rawValue, draft.topic, draft.subject, draft.body, stamp]
            )
            if spoolsMail {
                try connection.execute(
                    "INSERT INTO mail (notification_id, customer_id, file) VALUES (?, ?, ?)",
                    [id, profile.customerId.rawValue, id + ".eml"]
                )
            }
        }
    }

    // MARK: - Erasure

    /// Erases what Customers holds about a deleted account: profile, membership, addresses, notifications, their
    /// mail and order mappings, and what the messaging tables hold about the person, in one transaction; then the
    /// mail files, and the database log, so no earlier version of a deleted page survives in it. Redelivery finds
    /// the event handled and only repeats the clean-up, which finds nothing.
    func erase(_ customer: CustomerID, _ envelope: Envelope) async throws {
        let stamp = Self.microseconds(now())
        try await inbox.process(envelope) { connection in
            let key = customer.rawValue
            try connection.execute("INSERT INTO mail_removal (file) SELECT file FROM mail WHERE customer_id = ? ON CONFLICT DO NOTHING", [key])
            try connection.execute("DELETE FROM mail WHERE customer_id = ?", [key])
            try connection.execute("DELETE FROM notification WHERE customer_id = ?", [key])
            try connection.execute("DELETE FROM address WHERE customer_id = ?", [key])
            try connection.execute("DELETE FROM membership WHERE customer_id = ?", [key])
            try connection.execute("DELETE FROM order_customer WHERE customer_id = ?", [key])
            try connection.execute("DELETE FROM profile WHERE customer_id = ?", [key])
            try connection.execute("INSERT INTO erased_customer (customer_id, erased_us) VALUES (?, ?) ON CONFLICT DO NOTHING", [key, stamp])
            try MessagingSchema.forget(subject: key, in: connection)
        }
        try await removeErasedMail()
        if try await !database.truncateLog() {
            logger.warning(
                "the database log was not truncated after an erasure: a reader held an old snapshot",
                metadata: ["customer": "\(customer)"]
            )
        }
    }
}
