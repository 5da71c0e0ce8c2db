import CartAPI
import Commerce
import Foundation
import ModuleKit
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

/// Carts idle for the expiry go; a deleted account's cart and membership go from the file's bytes.
@Suite struct ExpiryAndErasureTests {
    static let day: Duration = .seconds(86_400)

    @Test func anIdleCartExpiresAfterThirtyDaysOnTheModuleClock() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")))
            try await fixture.add(1, of: "p-lamp", to: alice)
            try await fixture.add(1, of: "p-lamp", to: .guest("gt-1"))
            try await fixture.clock.waitForSleepers(count: 1)

            // Day 20: the customer changes their cart, which starts its 30 days again; the guest's does not change.
            fixture.clock.advance(by: Self.day * 20)
            let kept = try await fixture.add(1, of: "p-lamp", to: alice)
            #expect(kept.version == 2)

            // Day 30 and a second: the guest's cart has expired; the sweeper deletes it on its next pass.
            try await fixture.clock.waitForSleepers(count: 1)
            fixture.clock.advance(by: Self.day * 10 + .seconds(1))
            #expect(try await fixture.read(.guest("gt-1")).version == 0)
            try await waitUntil("the sweeper deleted the guest's cart") { try await fixture.count(.cart) == 1 }
            #expect(try await fixture.count(.cartLine) == 1)
            #expect(try await fixture.read(alice) == kept)

            // Day 50 and a second: the customer's cart too.
            try await fixture.clock.waitForSleepers(count: 1)
            fixture.clock.advance(by: Self.day * 20)
            try await waitUntil("the sweeper deleted the customer's cart") { try await fixture.count(.cart) == 0 }
            #expect(try await fixture.count(.cartLine) == 0)
            // Written again, it is a new cart from version 1.
            let fresh = try await fixture.add(1, of: "p-lamp", to: alice)
            #expect(fresh.version == 1)
            #expect(fresh.id != kept.id)
        }
    }

    @Test func theExpiryAndSweepIntervalAreSettings() async throws {
        try await CartFixture.with(settings: ["cart.idle-expiry": "60", "cart.sweep-interval": "5"]) { fixture in
            try await fixture.publish(try created(product("p-lamp")))
            let cart = try await fixture.add(1, of: "p-lamp", to: alice)
            let updatedAt = try #require(cart.updatedAt)
            #expect(cart.expiresAt == updatedAt.addingTimeInterval(60))
            try await fixture.clock.waitForSleepers(count: 1)
            for _ in 0..<12 {
                fixture.clock.advance(by: .seconds(5))
                try await fixture.clock.waitForSleepers(count: 1)
            }
            try await waitUntil("the sweeper deleted the cart") { try await fixture.count(.cart) == 0 }
        }
        let refusal = await #expect(throws: ModuleHostError.self) {
            try await CartFixture.with(settings: ["cart.idle-expiry": "a month"]) { _ in }
        }
        #expect(refusal?.description == "cart.idle-expiry must be a positive number of seconds, not 'a month'")
    }

    @Test func aDeletedAccountsCartAndMembershipLeaveNoTraceInTheFiles() async throws {
        let customer: CustomerID = "c-erase-7Qx2Lm"
        let owner = CartOwner.customer(customer)
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")), try created(product("p-board")))
            try await fixture.add(2, of: "p-lamp", to: owner)
            try await fixture.add(1, of: "p-board", to: owner)
            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription(customer, .active)), customer))
            try await fixture.add(1, of: "p-lamp", to: alice)
            try await fixture.add(1, of: "p-lamp", to: .guest("gt-1"))
            #expect(try await fixture.read(owner).member)
            // Before: the scan sees the customer in the database's files.
            #expect(try fixture.files(containing: customer.rawValue).contains { $0.hasPrefix("cart.sqlite") })

            let deletion = try deleted(customer)
            try await fixture.publish(deletion)

            let cart = try await fixture.read(owner)
            #expect(cart.lines.isEmpty && cart.version == 0 && !cart.member)
            #expect(try await fixture.count(.membership) == 0)
            #expect(try await fixture.count(.cart) == 2)
            #expect(try await fixture.count(.cartLine) == 2)
            try await waitUntil("no file holds the customer's id") { try fixture.files(containing: customer.rawValue).isEmpty }

            // Redelivered, and followed by what Payments sends when the account goes: nothing comes back.
            try await fixture.publish(deletion)
            try await fixture.publish(try membership(SubscriptionCancelled(subscription: subscription(customer, .canceled)), customer))
            #expect(try await fixture.count(.membership) == 0)
            #expect(try fixture.files(containing: customer.rawValue) == [])
            // Everyone else keeps their cart.
            #expect(try await fixture.read(alice).lines.count == 1)
            #expect(try await fixture.read(.guest("gt-1")).lines.count == 1)
            #expect(try await fixture.deadLetters() == 0)
        }
    }
}
