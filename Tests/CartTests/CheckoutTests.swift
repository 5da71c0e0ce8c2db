import CartAPI
import Commerce
import Foundation
import ServiceKit
import TestSupport
import Testing

/// An order takes what it bought out of the customer's cart, once.
@Suite struct CheckoutTests {
    @Test func anOrderTakesItsUnitsOutOfTheCartOnce() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try ["p-1", "p-2", "p-3", "p-4"].map { try created(product($0, price: 500)) })
            try await fixture.add(3, of: "p-1", to: alice)
            try await fixture.add(1, of: "p-2", to: alice)
            let before = try await fixture.add(2, of: "p-3", to: alice)
            let order = CartCheckout(
                customerId: "c-alice",
                orderId: "o-1",
                lines: [
                    CheckedOutLine(productId: "p-1", quantity: 2), CheckedOutLine(productId: "p-2", quantity: 1),
                    CheckedOutLine(productId: "p-4", quantity: 1),
                ]
            )

            let after = try await fixture.cart.checkOut(order)
            #expect(after.lines.map(\.productId) == ["p-1", "p-3"])
            #expect(after.lines.map(\.quantity) == [1, 2])
            #expect(after.version == before.version + 1)

            // The same order again (a retried call) changes nothing.
            #expect(try await fixture.cart.checkOut(order) == after)
            #expect(try await fixture.read(alice) == after)

            // Another order is applied; units beyond the line's remove it.
            let next = try await fixture.cart.checkOut(
                CartCheckout(customerId: "c-alice", orderId: "o-2", lines: [CheckedOutLine(productId: "p-1", quantity: 5)])
            )
            #expect(next.lines.map(\.productId) == ["p-3"])
            #expect(next.version == after.version + 1)
            #expect(try await fixture.count(.appliedOrder) == 2)
        }
    }

    @Test func anOrderForACustomerWithoutACartChangesNothing() async throws {
        try await CartFixture.with { fixture in
            let cart = try await fixture.cart.checkOut(
                CartCheckout(customerId: "c-alice", orderId: "o-1", lines: [CheckedOutLine(productId: "p-1", quantity: 1)])
            )
            #expect(cart.lines.isEmpty && cart.version == 0)
            #expect(try await fixture.count(.cart) == 0)
            await #expect(throws: CartError.invalid("every line's quantity must be at least 1", field: "lines")) {
                try await fixture.cart.checkOut(
                    CartCheckout(customerId: "c-alice", orderId: "o-2", lines: [CheckedOutLine(productId: "p-1", quantity: 0)])
                )
            }
            await #expect(throws: CartError.invalid("the order id is empty", field: "orderId")) {
                try await fixture.cart.checkOut(CartCheckout(customerId: "c-alice", orderId: "", lines: []))
            }
        }
    }
}
