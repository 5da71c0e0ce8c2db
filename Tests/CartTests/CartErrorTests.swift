import CartAPI
import Commerce
import Foundation
import ServiceKit
import TestSupport
import Testing

/// What a client is told when the cart refuses: a problem type and a sentence, never a Swift value.
@Suite struct CartErrorTests {
    /// The error `call` throws, as a `CartError` that came over the serialized transport.
    static func refusal(_ call: () async throws -> Cart) async -> CartError? {
        do {
            _ = try await call()
            return nil
        } catch {
            return error as? CartError
        }
    }

    @Test func everyRefusalIsASentence() async throws {
        try await CartFixture.with { fixture in
            try await fixture.publish(try created(product("p-lamp")), try deactivated(product("p-off", version: 2, active: false)))
            try await fixture.add(98, of: "p-lamp", to: alice)
            let refusals = [
                await Self.refusal { try await fixture.add(1, of: "p-lamp", to: alice, expecting: 7) },
                await Self.refusal { try await fixture.add(1, of: "p-off", to: alice) },
                await Self.refusal { try await fixture.set(1, of: "p-none", in: alice) },
                await Self.refusal { try await fixture.add(2, of: "p-lamp", to: alice) },
                await Self.refusal { try await fixture.read(alice, country: "Germany") },
            ]
            #expect(
                refusals.map { $0?.problemType } == [
                    "version-conflict", "product-off-sale", "cart-line-not-found", "validation-failed", "validation-failed",
                ]
            )
            #expect(
                refusals.map { $0?.detail } == [
                    "The cart changed since version 7 (it is at version 1 now); read it again and retry.",
                    "Product p-off is no longer on sale.",
                    "The cart has no line for product p-none.",
                    "The request is not valid: a line holds at most 99 units.",
                    "The request is not valid: the country must be a two-letter ISO 3166-1 code such as DE.",
                ]
            )
            #expect(refusals[3]?.fieldErrors == [FieldError(field: "quantity", message: "a line holds at most 99 units")])
            for detail in refusals.compactMap({ $0?.detail }) {
                #expect(detail.first?.isUppercase == true && detail.hasSuffix("."))
                #expect(
                    !detail.contains("Identifier") && !detail.contains("rawValue") && !detail.contains("CartError") && !detail.contains("Optional")
                )
            }
            #expect(CartError.tooManyLines(limit: 50).detail == "A cart holds at most 50 different products.")
            #expect(CartError.productNotFound("p-404").detail == "No product has the id p-404.")
        }
    }
}
