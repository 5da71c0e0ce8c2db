import CartAPI
import Commerce
import CustomersAPI
import Foundation
import Messaging
import OrdersAPI
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

@Suite struct NotificationTests {
    @Test func membershipFollowsTheSubscriptionEvents() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            let started = subscription("c-1", .active)

            try await fixture.publish(try membership(SubscriptionStarted(subscription: started), "c-1"))
            var profile = try await fixture.customers.profile("c-1")
            #expect(profile.membership == Membership(status: .active, plan: "plus", since: started.createdAt))
            #expect(profile.membership.isMember)

            try await fixture.publish(try membership(SubscriptionRenewalFailed(subscription: subscription("c-1", .pastDue)), "c-1"))
            profile = try await fixture.customers.profile("c-1")
            #expect(profile.membership.status == .pastDue && profile.membership.isMember)

            try await fixture.publish(try membership(SubscriptionRenewed(subscription: subscription("c-1", .active)), "c-1"))
            #expect(try await fixture.customers.profile("c-1").membership.status == .active)

            try await fixture.publish(try membership(SubscriptionLapsed(subscription: subscription("c-1", .lapsed)), "c-1"))
            profile = try await fixture.customers.profile("c-1")
            #expect(profile.membership == Membership(status: .lapsed, plan: "plus", since: CustomersFixture.now))
            #expect(!profile.membership.isMember)

            #expect(
                try await fixture.topics("c-1") == [
                    "account.welcome", "membership.started", "membership.renewal-failed", "membership.renewed", "membership.lapsed",
                ]
            )
            // Each notification was mailed.
            #expect(try fixture.mailFiles() == Set(try await fixture.feed("c-1").map { "\($0.id.rawValue).eml" }))
        }
    }

    @Test func aRenewalFailureNamesTheDeclineAndTheNextAttempt() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            try await fixture.publish(try membership(SubscriptionRenewalFailed(subscription: subscription("c-1", .pastDue)), "c-1"))
            let notice = try #require(try await fixture.feed("c-1").first)
            #expect(notice.topic == "membership.renewal-failed")
            #expect(notice.category == .transactional)
            #expect(notice.subject == "Your Emporium Plus renewal failed")
            #expect(notice.body.contains("Your card has insufficient funds. The decline code is insufficient_funds."))
            #expect(notice.body.contains("We will try again on 21 March 2025"))
            #expect(notice.body.contains("Visa card ending 4242"))
        }
    }

    @Test func refundsAndShipmentsReachTheCustomerOfTheirOrder() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            // Before Payments named the order's customer, an order's events reach nobody.
            try await fixture.publish(try shipped("o-1"), try refunded("o-1", 1200))
            #expect(try await fixture.topics("c-1") == ["account.welcome"])

            try await fixture.publish(try authorized("o-1", by: "c-1"))
            try await fixture.publish(try refunded("o-1", 1200))
            try await fixture.publish(try refundFailed("o-1", 300))
            try await fixture.publish(try shipped("o-1"))
            try await fixture.publish(try delivered("o-1"))
            // An order nobody paid for here is skipped.
            try await fixture.publish(try shipped("o-unknown"), try delivered("o-unknown"))

            let feed = try await fixture.feed("c-1")
            #expect(
                feed.map(\.topic) == ["shipment.delivered", "shipment.shipped", "payment.refund-failed", "payment.refunded", "account.welcome"]
            )
            #expect(
                feed.map(\.subject).dropLast() == [
                    "Delivered: your parcel of order o-1",
                    "Shipped with Emporium Parcel, tracking EP123456789012",
                    "Refund of 3.00 EUR failed",
                    "Refund of 12.00 EUR issued",
                ]
            )
            #expect(feed[1].body.contains("Shipped with Emporium Parcel, tracking EP123456789012."))
            #expect(feed[2].body.contains("The card account is closed."))
            #expect(feed[3].body.contains("refunded 12.00 EUR for order o-1 to your Visa card ending 4242"))
            #expect(feed.allSatisfy { $0.customerId == "c-1" && $0.category == .transactional && $0.createdAt == CustomersFixture.now })
            #expect(try fixture.mailFiles().count == 5)
            #expect(try await fixture.deadLetters() == 0)
        }
    }

    @Test func theRejoinOfferGoesOnlyToCustomersWhoOptedIn() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-out", email: "out@example.com")
            try await fixture.register("c-in", email: "in@example.com")
            _ = try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-in", displayName: "In", marketingOptIn: true))

            for customer: CustomerID in ["c-out", "c-in"] {
                try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription(customer, .active)), customer))
                try await fixture.publish(try membership(SubscriptionCancelled(subscription: subscription(customer, .canceled)), customer))
            }
            #expect(try await fixture.topics("c-out") == ["account.welcome", "membership.started", "membership.cancelled"])
            let feed = try await fixture.feed("c-in")
            #expect(feed.map(\.topic) == ["membership.rejoin-offer", "membership.cancelled", "membership.started", "account.welcome"])
            #expect(feed.map(\.category) == [.marketing, .transactional, .transactional, .transactional])
            #expect(feed[0].subject == "Come back to Emporium Plus")
            #expect(try await fixture.customers.profile("c-in").membership.status == .canceled)

            // Opting out again stops the offer, after a lapse too; the transactional notice still comes.
            _ = try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-in", displayName: "In", marketingOptIn: false))
            try await fixture.publish(try membership(SubscriptionLapsed(subscription: subscription("c-in", .lapsed)), "c-in"))
            #expect(try await fixture.feed("c-in").map(\.topic).prefix(2) == ["membership.lapsed", "membership.rejoin-offer"])
            // Neither feed nor mail: every mail file is a notification in a feed.
            let mailed = try await fixture.feed("c-in").map { "\($0.id.rawValue).eml" } + fixture.feed("c-out").map { "\($0.id.rawValue).eml" }
            #expect(try fixture.mailFiles() == Set(mailed))
        }
    }

    @Test func theFeedIsPagedNewestFirst() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            try await fixture.publish(try authorized("o-1", by: "c-1"))
            for _ in 1...4 { try await fixture.publish(try refunded("o-1", 100)) }
            let all = try await fixture.feed("c-1")
            #expect(all.count == 5)

            var seen: [CustomersAPI.Notification] = []
            var cursor: String? = nil
            repeat {
                let page = try await fixture.customers.notifications(NotificationQuery(customerId: "c-1", cursor: cursor, limit: 2))
                #expect(page.items.count <= 2)
                seen += page.items
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == all)
            #expect(try await fixture.customers.notifications(NotificationQuery(customerId: "c-1", cursor: "", limit: 100)).items == all)
            #expect(try await fixture.customers.notifications(NotificationQuery(customerId: "c-other")).items.isEmpty)

            for limit in [0, 101] {
                await #expect(throws: CustomersError.invalid("must be from 1 to 100", field: "limit")) {
                    try await fixture.customers.notifications(NotificationQuery(customerId: "c-1", limit: limit))
                }
            }
            await #expect(throws: CustomersError.invalid("is not a cursor of this list; send the nextCursor of the previous page", field: "cursor")) {
                try await fixture.customers.notifications(NotificationQuery(customerId: "c-1", cursor: "not-a-cursor"))
            }
        }
    }
}

@Suite struct OrderNotificationTests {
    static func order(_ status: OrderStatus) throws -> Order {
        let price = Money(minorUnits: 2500, currency: "EUR")
        return Order(
            id: "o-1",
            number: "EMP-000042",
            customerId: "c-1",
            status: status,
            lines: [
                OrderLine(productId: "p-1", name: "Oak Stool", quantity: 2, unitPrice: price, lineTotal: Money(minorUnits: 5000, currency: "EUR"))
            ],
            totals: try Pricing.totals(subtotal: Money(minorUnits: 5000, currency: "EUR"), country: "DE", member: false),
            shippingAddress: Address(name: "Anna", line1: "Invalidenstraße 1", city: "Berlin", postalCode: "10115", country: "DE"),
            createdAt: CustomersFixture.now,
            updatedAt: CustomersFixture.now
        )
    }

    @Test func anOrdersConfirmationAndCancellationReachItsCustomerWithTheNumber() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            try await fixture.publish(
                try Envelope(OrderPlaced(order: try Self.order(.confirmed)), source: "/emporium/orders", subject: "o-1"),
                try Envelope(OrderCancelled(order: try Self.order(.cancelled)), source: "/emporium/orders", subject: "o-1")
            )
            let feed = try await fixture.feed("c-1")
            #expect(feed.map(\.topic).prefix(2) == ["order.cancelled", "order.confirmed"])
            let confirmed = try #require(feed.first { $0.topic == "order.confirmed" })
            #expect(confirmed.subject == "Your order EMP-000042 is confirmed")
            #expect(confirmed.body.contains("2 items for 50.00 EUR, VAT of 7.98 EUR included"))
            #expect(try #require(feed.first { $0.topic == "order.cancelled" }).body.contains("Nothing was charged."))
        }
    }
}
