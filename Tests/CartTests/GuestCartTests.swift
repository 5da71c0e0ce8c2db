import CartAPI
import CatalogAPI
import Commerce
import Foundation
import ServiceKit
import TestSupport
import Testing

/// Guests' carts by token, and merging one into a customer's cart at sign-in.
@Suite struct GuestCartTests {
    static let token = "gt-5Zq8pW2rXk7LmN3vB9cT4yH6"
    static let guest = CartOwner.guest(token)

    @Test func aGuestCartIsFoundByItsTokenWhichIsNeverStored() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")))
            let added = try await fixture.add(2, of: "p-lamp", to: Self.guest)
            #expect(added.customerId == nil)
            #expect(added.member == false)
            #expect(added.version == 1)
            #expect(try await fixture.read(Self.guest) == added)
            // Another token is another cart.
            #expect(try await fixture.read(.guest(Self.token + "x")).lines.isEmpty)
            #expect(try await fixture.read(alice).lines.isEmpty)

            // The scan finds what is stored (the cart's id), but not the token, in the database or its log.
            #expect(!(try fixture.files(containing: added.id.rawValue).isEmpty))
            #expect(try fixture.files(containing: Self.token) == [])
        }
    }

    @Test func anOwnerNeedsExactlyACustomerOrAToken() async throws {
        try await CartFixture.with { fixture in
            let nobody = try JSONDecoder().decode(CartOwner.self, from: Data("{}".utf8))
            await #expect(throws: CartError.invalid("a cart belongs either to a customer or to a guest token", field: "owner")) {
                try await fixture.read(nobody)
            }
            await #expect(throws: CartError.invalid("the guest token must be 1 to 512 bytes long", field: "owner.guestToken")) {
                try await fixture.read(.guest(""))
            }
            await #expect(throws: CartError.invalid("the customer id is empty", field: "owner.customerId")) { try await fixture.read(.customer("")) }
        }
    }

    @Test func mergingAddsQuantitiesCapsThemAndRemovesTheGuestCart() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try ["p-1", "p-2", "p-3"].map { try created(product($0, price: 1000)) })
            try await fixture.add(50, of: "p-2", to: alice)
            let before = try await fixture.add(1, of: "p-3", to: alice)
            try await fixture.add(3, of: "p-1", to: Self.guest)
            try await fixture.add(60, of: "p-2", to: Self.guest)

            let merged = try await fixture.cart.merge(CartMerge(customerId: "c-alice", guestToken: Self.token))
            // The customer's lines keep their order; the guest's new product follows; 50 + 60 is capped at 99.
            #expect(merged.lines.map(\.productId) == ["p-2", "p-3", "p-1"])
            #expect(merged.lines.map(\.quantity) == [99, 1, 3])
            #expect(merged.version == before.version + 1)
            #expect(merged.id == before.id)
            #expect(merged.customerId == "c-alice")
            #expect(try await fixture.read(alice) == merged)
            // The guest cart is gone.
            let guestCart = try await fixture.read(Self.guest)
            #expect(guestCart.lines.isEmpty && guestCart.version == 0)
            #expect(try await fixture.count(.cart) == 1)

            // Merging again, or with a token that has no cart, changes nothing.
            #expect(try await fixture.cart.merge(CartMerge(customerId: "c-alice", guestToken: Self.token)) == merged)
            #expect(try await fixture.cart.merge(CartMerge(customerId: "c-alice", guestToken: "gt-unknown")) == merged)
        }
    }

    @Test func mergingIntoACustomerWithoutACartMovesTheGuestCart() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-1")))
            try await fixture.add(2, of: "p-1", to: Self.guest)
            let merged = try await fixture.cart.merge(CartMerge(customerId: "c-bob", guestToken: Self.token))
            #expect(merged.customerId == "c-bob")
            #expect(merged.lines.map(\.quantity) == [2])
            #expect(merged.version == 1)
            #expect(try await fixture.count(.cart) == 1)
        }
    }

    @Test func mergingDropsTheGuestLinesBeyondTheFiftieth() async throws {
        try await CartFixture.with { fixture in
            let products = (1...52).map { product(String(format: "p-%02d", $0), price: 100) }
            try await fixture.publish(try products.map(created))
            for item in products.prefix(49) { try await fixture.add(1, of: item.id.rawValue, to: alice) }
            for id in ["p-01", "p-50", "p-51", "p-52"] { try await fixture.add(2, of: id, to: Self.guest) }
            let merged = try await fixture.cart.merge(CartMerge(customerId: "c-alice", guestToken: Self.token))
            #expect(merged.lines.count == 50)
            #expect(merged.lines.first?.quantity == 3)
            #expect(merged.lines.last?.productId == "p-50")
            #expect(!merged.lines.contains { $0.productId == "p-51" || $0.productId == "p-52" })
            #expect(try await fixture.read(Self.guest).lines.isEmpty)
        }
    }
}
