public import Commerce
public import Foundation

/// Why a notification was sent, which decides whether the customer can refuse it.
public enum NotificationCategory: String, Codable, Sendable, Hashable, CaseIterable {
    /// About something the customer did or owns (an account, a refund, a shipment, a membership): always sent.
    case transactional
    /// An offer: sent only to customers who opted in (``CustomerProfile/marketingOptIn``).
    case marketing
}

/// A message to a customer: in their feed, and mailed to their e-mail address.
public struct Notification: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: NotificationID
    /// The customer.
    public var customerId: CustomerID
    /// Transactional or marketing.
    public var category: NotificationCategory
    /// What it is about, as `<area>.<event>`: `account.welcome`, `payment.refunded`, `payment.refund-failed`,
    /// `shipment.shipped`, `shipment.delivered`, `membership.started`, `membership.renewed`,
    /// `membership.renewal-failed`, `membership.lapsed`, `membership.cancelled`, `membership.rejoin-offer`.
    public var topic: String
    /// Its subject line, such as `Refund of 12.00 EUR issued`.
    public var subject: String
    /// Its text: plain text, lines separated by `\n`.
    public var body: String
    /// When it was sent.
    public var createdAt: Date

    /// Creates the value.
    public init(
        id: NotificationID,
        customerId: CustomerID,
        category: NotificationCategory,
        topic: String,
        subject: String,
        body: String,
        createdAt: Date
    ) {
        self.id = id
        self.customerId = customerId
        self.category = category
        self.topic = topic
        self.subject = subject
        self.body = body
        self.createdAt = createdAt
    }
}

/// Which of a customer's notifications to list: newest first, a page at a time.
public struct NotificationQuery: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The ``NotificationPage/nextCursor`` of the previous page; the newest when `nil` or empty.
    public var cursor: String?
    /// At most this many: 1 to 100.
    public var limit: Int

    /// Creates a query.
    public init(customerId: CustomerID, cursor: String? = nil, limit: Int = 20) {
        self.customerId = customerId
        self.cursor = cursor
        self.limit = limit
    }
}

/// A page of notifications, newest first.
public struct NotificationPage: Codable, Sendable, Hashable {
    /// The notifications.
    public var items: [Notification]
    /// Where the next page starts; `nil` on the last page.
    public var nextCursor: String?

    /// Creates the value.
    public init(items: [Notification], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
