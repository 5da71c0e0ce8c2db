import CartAPI
import Commerce
import CustomersAPI
import Foundation
import OrdersAPI
import PaymentsAPI
import ServiceKit
import WarehouseAPI

/// A notification before it is recorded: what to say and to whom it may go.
struct NotificationDraft: Sendable, Hashable {
    /// Transactional (always sent) or marketing (only to customers who opted in).
    var category: NotificationCategory
    /// `<area>.<event>`, such as `payment.refunded`.
    var topic: String
    /// The subject line.
    var subject: String
    /// The text, lines separated by `\n`.
    var body: String
}

/// What Customers says to a customer, one function per occasion: adding an occasion (an order event, say) is a
/// function here and a handler line in the module.
enum Notices {
    /// The welcome after registration.
    static func welcome(name: String) -> NotificationDraft {
        transactional(
            "account.welcome",
            subject: "Welcome to Emporium",
            greeting: name,
            "your Emporium account is ready. Your orders, addresses and messages are in your profile."
        )
    }

    /// A refund was issued; `order` when it refunds an order.
    static func refunded(_ refund: Refund, order: OrderID?, card: CardSummary?, name: String) -> NotificationDraft {
        let what = order.map { " for order \($0.rawValue)" } ?? ""
        let to = card.map { " to your \(brandName($0.brand)) card ending \($0.last4)" } ?? ""
        return transactional(
            "payment.refunded",
            subject: "Refund of \(refund.amount) issued",
            greeting: name,
            "we have refunded \(refund.amount)\(what)\(to). It usually reaches your account within 5 to 10 business days."
        )
    }

    /// A refund failed at the card network.
    static func refundFailed(_ refund: Refund, order: OrderID?, name: String) -> NotificationDraft {
        let what = order.map { " for order \($0.rawValue)" } ?? ""
        let reason = refund.failureReason.map { " The card network said: \($0)" } ?? ""
        return transactional(
            "payment.refund-failed",
            subject: "Refund of \(refund.amount) failed",
            greeting: name,
            "the refund of \(refund.amount)\(what) did not go through.\(reason)\n\nWe will be in touch about paying it back another way."
        )
    }

    /// A shipment left with its carrier.
    static func shipped(_ event: ShipmentShipped, name: String) -> NotificationDraft {
        let shipment = event.shipment
        let units = shipment.lines.reduce(0) { $0 + $1.quantity.value }
        return transactional(
            "shipment.shipped",
            subject: "Shipped with \(event.carrier), tracking \(event.trackingNumber)",
            greeting: name,
            "\(units == 1 ? "one item" : "\(units) items") of your order \(shipment.orderId.rawValue) left our warehouse. "
                + "Shipped with \(event.carrier), tracking \(event.trackingNumber)."
        )
    }

    /// An order was confirmed: its number, what it holds and what it costs.
    static func orderConfirmed(_ order: Order, name: String) -> NotificationDraft {
        let units = order.lines.reduce(0) { $0 + $1.quantity }
        return transactional(
            "order.confirmed",
            subject: "Your order \(order.number) is confirmed",
            greeting: name,
            "thank you for your order \(order.number): \(units == 1 ? "one item" : "\(units) items") for \(order.totals.total), "
                + "VAT of \(order.totals.vatIncluded) included. We will tell you when it ships."
        )
    }

    /// An order was cancelled: what comes back.
    static func orderCancelled(_ order: Order, name: String) -> NotificationDraft {
        let refunded =
            order.payment.map { $0.refunded.isZero ? "Nothing was charged." : "A refund of \($0.refunded) was issued." } ?? "Nothing was charged."
        return transactional(
            "order.cancelled",
            subject: "Your order \(order.number) is cancelled",
            greeting: name,
            "your order \(order.number) is cancelled. \(refunded)"
        )
    }

    /// An order came back in full.
    static func orderReturned(_ order: Order, name: String) -> NotificationDraft {
        let refund = order.returns.reduce(Int64(0)) { $0 + $1.refund.minorUnits }
        return transactional(
            "order.returned",
            subject: "Your return of order \(order.number) is complete",
            greeting: name,
            "we received everything you sent back from order \(order.number) and refunded "
                + "\(Money(minorUnits: refund, currency: order.totals.total.currency))."
        )
    }

    /// A shipment arrived.
    static func delivered(_ event: ShipmentDelivered, name: String) -> NotificationDraft {
        transactional(
            "shipment.delivered",
            subject: "Delivered: your parcel of order \(event.shipment.orderId.rawValue)",
            greeting: name,
            "your parcel of order \(event.shipment.orderId.rawValue) was delivered. We hope you enjoy it."
        )
    }

    /// A membership began.
    static func membershipStarted(_ subscription: Subscription, name: String) -> NotificationDraft {
        transactional(
            "membership.started",
            subject: "Welcome to \(subscription.plan.displayName)",
            greeting: name,
            "your \(subscription.plan.displayName) membership has started: free shipping on every order. "
                + "It renews on \(day(subscription.currentPeriodEnd)) for \(subscription.plan.price)."
        )
    }

    /// A period was renewed and paid.
    static func membershipRenewed(_ subscription: Subscription, name: String) -> NotificationDraft {
        transactional(
            "membership.renewed",
            subject: "Your \(subscription.plan.displayName) membership was renewed",
            greeting: name,
            "your \(subscription.plan.displayName) membership was renewed until \(day(subscription.currentPeriodEnd)); "
                + "\(subscription.plan.price) was charged to your \(brandName(subscription.card.brand)) card ending \(subscription.card.last4)."
        )
    }

    /// A renewal was declined: the decline code and when it is tried again.
    static func renewalFailed(_ subscription: Subscription, name: String) -> NotificationDraft {
        let decline = subscription.lastDecline.map { "\($0.message) The decline code is \($0.code.rawValue)." } ?? "Your card was declined."
        let next =
            subscription.nextRetryAt.map { "We will try again on \(day($0)); you stay a member meanwhile." }
            ?? "That was the last attempt."
        return transactional(
            "membership.renewal-failed",
            subject: "Your \(subscription.plan.displayName) renewal failed",
            greeting: name,
            "we could not renew your \(subscription.plan.displayName) membership with your \(brandName(subscription.card.brand)) card "
                + "ending \(subscription.card.last4). \(decline)\n\n\(next)"
        )
    }

    /// Every renewal retry was declined.
    static func membershipLapsed(_ subscription: Subscription, name: String) -> NotificationDraft {
        transactional(
            "membership.lapsed",
            subject: "Your \(subscription.plan.displayName) membership has ended",
            greeting: name,
            "we could not renew your \(subscription.plan.displayName) membership after several attempts, so it has ended."
        )
    }

    /// The customer ended their membership.
    static func membershipCancelled(_ subscription: Subscription, name: String) -> NotificationDraft {
        transactional(
            "membership.cancelled",
            subject: "Your \(subscription.plan.displayName) membership is cancelled",
            greeting: name,
            "your \(subscription.plan.displayName) membership is cancelled as of \(day(subscription.endedAt ?? subscription.currentPeriodStart))."
        )
    }

    /// The one marketing message: an offer to rejoin after a membership ended.
    static func rejoinOffer(_ subscription: Subscription, name: String) -> NotificationDraft {
        var draft = transactional(
            "membership.rejoin-offer",
            subject: "Come back to \(subscription.plan.displayName)",
            greeting: name,
            "we miss you. Rejoin \(subscription.plan.displayName) any time for \(subscription.plan.price) a month and get free shipping "
                + "on every order again.\n\nYou get offers like this because you asked for them; you can turn them off in your profile."
        )
        draft.category = .marketing
        return draft
    }

    private static func transactional(_ topic: String, subject: String, greeting name: String, _ text: String) -> NotificationDraft {
        NotificationDraft(
            category: .transactional,
            topic: topic,
            subject: subject,
            body: "Hello \(name),\n\n\(text)\n\nYour Emporium team"
        )
    }

    /// A date as a person reads it: `14 March 2025` (UTC).
    static func day(_ date: Date) -> String {
        let parts = MailEncoding.utc.dateComponents([.year, .month, .day], from: date)
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        return "\(parts.day ?? 1) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970)"
    }

    private static func brandName(_ brand: CardBrand) -> String {
        switch brand {
        case .visa: "Visa"
        case .mastercard: "Mastercard"
        case .amex: "American Express"
        case .discover: "Discover"
        case .diners: "Diners Club"
        case .jcb: "JCB"
        case .unionpay: "UnionPay"
        case .unknown: "payment"
        }
    }
}
