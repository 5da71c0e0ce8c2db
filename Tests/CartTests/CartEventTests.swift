import CartAPI
import CatalogAPI
import Commerce
import Foundation
import Messaging
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// The cart's copy of catalog, stock and membership facts follows their events, and reading never calls the catalog:
/// every fixture here has a mock catalog that fails the test when called, unless the test sets its `product`.
@Suite struct CartEventTests {
    @Test func aPriceChangeIsShownWithThePriceWhenAdded() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp", price: 1999)))
            try await fixture.add(3, of: "p-lamp", to: alice)

            try await fixture.publish(try updated(product("p-lamp", "Oak Table Lamp, Large", price: 2499, version: 2)))
            var line = try #require(try await fixture.read(alice).lines.first)
            #expect(line.name == "Oak Table Lamp, Large")
            #expect(line.unitPrice == eur(2499))
            #expect(line.lineTotal == eur(7497))
            #expect(line.priceChangedFrom == eur(1999))
            #expect(try await fixture.read(alice).totals.subtotal == eur(7497))

            // A stale or redelivered version changes nothing.
            try await fixture.publish(try updated(product("p-lamp", price: 1799, version: 2)), try created(product("p-lamp", price: 1999)))
            line = try #require(try await fixture.read(alice).lines.first)
            #expect(line.unitPrice == eur(2499))

            // Back at the price it was added at, the flag goes.
            try await fixture.publish(try updated(product("p-lamp", price: 1999, version: 3)))
            line = try #require(try await fixture.read(alice).lines.first)
            #expect(line.priceChangedFrom == nil)
            #expect(line.unitPrice == eur(1999))
            #expect(try await fixture.deadLetters() == 0)
        }
    }

    @Test func aDeactivatedProductIsOffSaleAndCannotBeAdded() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")), try created(product("p-board")))
            try await fixture.add(1, of: "p-lamp", to: alice)
            try await fixture.add(1, of: "p-board", to: alice)
            try await fixture.publish(try deactivated(product("p-lamp", version: 2, active: false)))

            let cart = try await fixture.read(alice)
            #expect(cart.lines.map(\.offSale) == [true, false])
            #expect(!cart.isPurchasable)
            await #expect(throws: CartError.productOffSale("p-lamp")) { try await fixture.add(1, of: "p-lamp", to: alice) }
            // It can still be removed.
            #expect(try await fixture.set(0, of: "p-lamp", in: alice).isPurchasable)
        }
    }

    @Test func stockBelowTheQuantityIsShown() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")))
            try await fixture.add(3, of: "p-lamp", to: alice)
            // Nothing known of the stock yet: no flag.
            #expect(try await fixture.read(alice).lines.first?.availableQuantity == nil)

            try await fixture.publish(try stockLevel("p-lamp", available: 2))
            var cart = try await fixture.read(alice)
            #expect(cart.lines.first?.availableQuantity == 2)
            #expect(!cart.isPurchasable)

            try await fixture.publish(try stockLevel("p-lamp", available: 3))
            cart = try await fixture.read(alice)
            #expect(cart.lines.first?.availableQuantity == nil)
            #expect(cart.isPurchasable)

            try await fixture.publish(try stockLevel("p-lamp", available: 0))
            #expect(try await fixture.read(alice).lines.first?.availableQuantity == 0)
        }
    }

    @Test func membershipFollowsSubscriptionEventsAndShipsFree() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp", price: 1999)))
            try await fixture.add(1, of: "p-lamp", to: alice)
            #expect(try await fixture.read(alice).totals.shipping == eur(495))

            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription("c-alice", .active)), "c-alice"))
            var cart = try await fixture.read(alice)
            #expect(cart.member)
            #expect(cart.totals.shipping == eur(0))
            #expect(cart.totals.total == eur(1999))

            // A declined renewal is retried, and the customer is a member meanwhile.
            try await fixture.publish(try membership(SubscriptionRenewalFailed(subscription: subscription("c-alice", .pastDue)), "c-alice"))
            #expect(try await fixture.read(alice).member)

            try await fixture.publish(try membership(SubscriptionCancelled(subscription: subscription("c-alice", .canceled)), "c-alice"))
            cart = try await fixture.read(alice)
            #expect(!cart.member)
            #expect(cart.totals.shipping == eur(495))
            #expect(try await fixture.count(.membership) == 0)

            // Another customer's membership is theirs alone; a guest is never a member.
            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription("c-bob", .active)), "c-bob"))
            #expect(!(try await fixture.read(alice).member))
            #expect(try await fixture.read(.customer("c-bob")).member)
            #expect(!(try await fixture.read(.guest("gt-1")).member))
        }
    }

    @Test func aProductNotYetKnownIsFetchedOnceFromTheCatalog() async throws {
        let asked = CallRecorder<ProductID>()
        var catalog = MockCatalog()
        catalog.onProduct = { id in
            asked.record(id)
            switch id.rawValue {
            case "p-new": return product("p-new", "New Lamp", price: 3000)
            case "p-gone": return product("p-gone", price: 3000, version: 4, active: false)
            default: throw CatalogError.productNotFound(id)
            }
        }
        try await CartFixture.with(catalog: catalog) { fixture in
            let cart = try await fixture.add(1, of: "p-new", to: alice)
            #expect(cart.lines.map(\.name) == ["New Lamp"])
            try await fixture.add(1, of: "p-new", to: alice)
            #expect(try await fixture.read(alice).lines.map(\.quantity) == [2])
            #expect(asked.values == ["p-new"])

            // Its late creation event is the same version and changes nothing; a newer one applies.
            try await fixture.publish(try created(product("p-new", "Old Name", price: 3000)))
            #expect(try await fixture.read(alice).lines.map(\.name) == ["New Lamp"])
            try await fixture.publish(try updated(product("p-new", "Newer Lamp", price: 3000, version: 2)))
            #expect(try await fixture.read(alice).lines.map(\.name) == ["Newer Lamp"])

            await #expect(throws: CartError.productNotFound("p-404")) { try await fixture.add(1, of: "p-404", to: alice) }
            await #expect(throws: CartError.productOffSale("p-gone")) { try await fixture.add(1, of: "p-gone", to: alice) }
            // An off-sale product is remembered; only the unknown one is asked for again.
            await #expect(throws: CartError.productOffSale("p-gone")) { try await fixture.add(1, of: "p-gone", to: alice) }
            await #expect(throws: CartError.productNotFound("p-404")) { try await fixture.add(1, of: "p-404", to: alice) }
            #expect(asked.values == ["p-new", "p-404", "p-gone", "p-404"])
            #expect(try await fixture.read(alice).version == 2)
        }
    }

    @Test func anAdditionPublishesWhatWasAddedInItsTransaction() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")), try created(product("p-board")))
            try await fixture.publish(try deactivated(product("p-board", version: 2, active: false)))
            let cart = try await fixture.add(2, of: "p-lamp", to: alice)
            try await fixture.add(1, of: "p-lamp", to: .guest("gt-1"))
            // Refused additions write nothing: the event is part of the addition's transaction.
            await #expect(throws: CartError.productOffSale("p-board")) { try await fixture.add(1, of: "p-board", to: alice) }
            await #expect(throws: CartError.versionConflict(expected: 7, actual: 1)) {
                try await fixture.add(1, of: "p-lamp", to: alice, expecting: 7)
            }

            let events = try await fixture.events()
            #expect(events.map(\.type) == [CartItemAdded.eventType, CartItemAdded.eventType])
            #expect(events.first?.subject == cart.id.rawValue)
            let customers = try events.map { try $0.decode(CartItemAdded.self) }
            #expect(customers.map(\.productId) == ["p-lamp", "p-lamp"])
            #expect(customers.map(\.quantity) == [2, 1])
            #expect(customers.map(\.customerId) == ["c-alice", nil])
            #expect(customers.first?.at == cart.updatedAt)
            #expect(CartEvents.published == [CartItemAdded.eventType])
            // The relay hands them on to whoever takes them.
            try await fixture.harness.waitUntilSettled()
        }
    }

    @Test func theSeedCatalogsEventsArriveInBatches() async throws {
        try await CartFixture.with { fixture in
            let products = (1...540).map { product("p-\($0)", price: Int64(100 + $0)) }
            try await fixture.publish(try products.map(created))
            #expect(try await fixture.count(.product) == 540)
            #expect(try await fixture.add(1, of: "p-540", to: alice).totals.subtotal == eur(640))
            #expect(try await fixture.deadLetters() == 0)
        }
    }
}
