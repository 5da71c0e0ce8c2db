import CartAPI
import CatalogAPI
import Commerce
import Foundation
import ServiceKit
import TestSupport
import Testing

/// Adding, changing and removing lines, their limits, and the cart's versions.
@Suite struct CartLineTests {
    static let lamp = product("p-lamp", "Oak Table Lamp", price: 1999)
    static let board = product("p-board", "Oak Cutting Board", price: 2499)

    @Test func aCartNeverWrittenIsEmptyAtVersionZeroAndNotStored() async throws {
        try await CartFixture.with { fixture in
            let first = try await fixture.read(alice)
            let second = try await fixture.read(alice)
            #expect(first.lines.isEmpty)
            #expect(first.version == 0)
            #expect(first.customerId == "c-alice")
            #expect(first.updatedAt == nil && first.expiresAt == nil)
            #expect(first.totals.total == eur(0))
            #expect(first.id.rawValue.hasPrefix("cart_"))
            #expect(first.id != second.id)
            #expect(try await fixture.count(.cart) == 0)
        }
    }

    @Test func addingUpdatingAndRemovingLines() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(Self.lamp), try created(Self.board))

            var cart = try await fixture.add(2, of: "p-lamp", to: alice)
            #expect(cart.version == 1)
            #expect(cart.lines == [CartLine(productId: "p-lamp", name: "Oak Table Lamp", quantity: 2, unitPrice: eur(1999), lineTotal: eur(3998))])
            #expect(cart.totals.subtotal == eur(3998))
            #expect(cart.totals.shipping == eur(495))
            #expect(cart.country == "DE")
            #expect(cart.isPurchasable)
            let updatedAt = try #require(cart.updatedAt)
            #expect(cart.expiresAt == updatedAt.addingTimeInterval(30 * 86_400))

            // Adding to an existing line adds units; a new product is appended after it.
            cart = try await fixture.add(1, of: "p-board", to: alice)
            cart = try await fixture.add(3, of: "p-lamp", to: alice)
            #expect(cart.version == 3)
            #expect(cart.lines.map(\.productId) == ["p-lamp", "p-board"])
            #expect(cart.lines.map(\.quantity) == [5, 1])
            #expect(cart.totals.subtotal == eur(5 * 1999 + 2499))
            #expect(cart.totals.shipping == eur(0))

            cart = try await fixture.set(4, of: "p-board", in: alice)
            #expect(cart.lines.map(\.quantity) == [5, 4])
            #expect(cart.version == 4)
            cart = try await fixture.set(0, of: "p-lamp", in: alice)
            #expect(cart.lines.map(\.productId) == ["p-board"])
            #expect(cart.version == 5)
            // Once removed, the product comes back at the end.
            cart = try await fixture.add(1, of: "p-lamp", to: alice)
            #expect(cart.lines.map(\.productId) == ["p-board", "p-lamp"])

            // The same cart is read back, with the same id.
            let read = try await fixture.read(alice)
            #expect(read == cart)
            await #expect(throws: CartError.lineNotFound("p-missing")) { try await fixture.set(1, of: "p-missing", in: alice) }
        }
    }

    @Test func aLineHoldsOneToNinetyNineUnits() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(Self.lamp))
            await #expect(throws: CartError.invalid("the quantity to add must be from 1 to 99", field: "quantity")) {
                try await fixture.add(0, of: "p-lamp", to: alice)
            }
            await #expect(throws: CartError.invalid("the quantity to add must be from 1 to 99", field: "quantity")) {
                try await fixture.add(100, of: "p-lamp", to: alice)
            }
            try await fixture.add(60, of: "p-lamp", to: alice)
            await #expect(throws: CartError.invalid("a line holds at most 99 units", field: "quantity")) {
                try await fixture.add(40, of: "p-lamp", to: alice)
            }
            let full = try await fixture.add(39, of: "p-lamp", to: alice)
            #expect(full.lines.map(\.quantity) == [99])
            #expect(full.version == 2)
            await #expect(throws: CartError.invalid("the quantity must be from 0 (to remove the line) to 99", field: "quantity")) {
                try await fixture.set(100, of: "p-lamp", in: alice)
            }
            await #expect(throws: CartError.invalid("the quantity must be from 0 (to remove the line) to 99", field: "quantity")) {
                try await fixture.set(-1, of: "p-lamp", in: alice)
            }
            // Refused writes changed nothing, the version included.
            #expect(try await fixture.read(alice) == full)
        }
    }

    @Test func aCartHoldsAtMostFiftyLines() async throws {
        try await CartFixture.with { fixture in
            let products = (1...51).map { product(String(format: "p-%02d", $0), "Product \($0)", price: 100) }
            try await fixture.publish(try products.map(created))
            #expect(try await fixture.count(.product) == 51)
            for item in products.prefix(50) { try await fixture.add(1, of: item.id.rawValue, to: alice) }
            await #expect(throws: CartError.tooManyLines(limit: 50)) { try await fixture.add(1, of: "p-51", to: alice) }
            // More units of a product already in the cart still fit.
            let cart = try await fixture.add(2, of: "p-50", to: alice)
            #expect(cart.lines.count == 50)
            #expect(cart.lines.last?.quantity == 3)
        }
    }

    @Test func twoTabsWritingFromTheSameVersionConflict() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(Self.lamp), try created(Self.board))
            // A cart never written is at version 0, which a first write may name.
            await #expect(throws: CartError.versionConflict(expected: 3, actual: 0)) {
                try await fixture.add(1, of: "p-lamp", to: alice, expecting: 3)
            }
            try await fixture.add(1, of: "p-lamp", to: alice, expecting: 0)

            let seen = try await fixture.read(alice).version
            // The first tab's write moves the cart on; the second tab, still at the version it read, is refused.
            let first = try await fixture.add(1, of: "p-board", to: alice, expecting: seen)
            #expect(first.version == seen + 1)
            await #expect(throws: CartError.versionConflict(expected: seen, actual: seen + 1)) {
                try await fixture.set(5, of: "p-lamp", in: alice, expecting: seen)
            }
            await #expect(throws: CartError.versionConflict(expected: seen, actual: seen + 1)) {
                try await fixture.add(1, of: "p-lamp", to: alice, expecting: seen)
            }
            #expect(try await fixture.read(alice) == first)
            // Read again, it succeeds; without a version, a write is not checked.
            let second = try await fixture.set(5, of: "p-lamp", in: alice, expecting: first.version)
            #expect(second.version == first.version + 1)
            #expect(try await fixture.add(1, of: "p-board", to: alice).version == second.version + 1)
        }
    }

    @Test func totalsFollowTheQueriedCountry() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(Self.lamp))
            try await fixture.add(1, of: "p-lamp", to: alice)
            let netherlands = try await fixture.read(alice, country: "nl")
            #expect(netherlands.country == "NL")
            // 19.99 + 4.95 = 24.94; × 210 / 1210 = 4.3284 → 4.33.
            #expect(
                netherlands.totals == Totals(subtotal: eur(1999), shipping: eur(495), vatIncluded: eur(433), vatRatePerMille: 210, total: eur(2494))
            )
            #expect(try await fixture.read(alice, country: "FR").totals.vatIncluded == eur(416))
            #expect(try await fixture.read(alice).totals.vatRatePerMille == 190)
            #expect(try await fixture.read(alice, country: "US").totals.vatRatePerMille == 190)
            for country in ["Deutschland", "D", "", "1A", "ßx"] {
                await #expect(throws: CartError.invalid("the country must be a two-letter ISO 3166-1 code such as DE", field: "country")) {
                    try await fixture.read(alice, country: country)
                }
            }
        }
    }
}
