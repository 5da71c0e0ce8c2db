import CartAPI
import Commerce
import Foundation
import ServiceKit
import Testing

/// The shop's price rules as pure values: every expected figure below is computed by hand.
@Suite struct PricingTests {
    @Test func germanyBelowTheThresholdPaysShippingAndIncludesNineteenPercent() throws {
        let totals = try Pricing.totals(subtotal: eur(1999), country: "DE", member: false)
        // 19.99 + 4.95 = 24.94; 24.94 × 190 / 1190 = 3.982 → 3.98.
        #expect(totals == Totals(subtotal: eur(1999), shipping: eur(495), vatIncluded: eur(398), vatRatePerMille: 190, total: eur(2494)))
    }

    @Test func theNetherlandsAtTheThresholdShipsFree() throws {
        let totals = try Pricing.totals(subtotal: eur(5000), country: "NL", member: false)
        // 50.00 ships free; 50.00 × 210 / 1210 = 8.6776 → 8.68.
        #expect(totals == Totals(subtotal: eur(5000), shipping: eur(0), vatIncluded: eur(868), vatRatePerMille: 210, total: eur(5000)))
    }

    @Test func franceOneCentBelowTheThresholdPaysShipping() throws {
        let totals = try Pricing.totals(subtotal: eur(4999), country: "FR", member: false)
        // 49.99 + 4.95 = 54.94; 54.94 × 200 / 1200 = 9.1567 → 9.16.
        #expect(totals == Totals(subtotal: eur(4999), shipping: eur(495), vatIncluded: eur(916), vatRatePerMille: 200, total: eur(5494)))
    }

    @Test func halfACentOfVATRoundsUp() throws {
        // At 20 % the VAT in a gross amount is a sixth of it: 50.01 / 6 = 8.335 → 8.34, and 50.07 / 6 = 8.345 → 8.35.
        #expect(try Pricing.totals(subtotal: eur(5001), country: "FR", member: false).vatIncluded == eur(834))
        #expect(try Pricing.totals(subtotal: eur(5007), country: "FR", member: false).vatIncluded == eur(835))
        // 10.00 in Germany: 1000 × 190 / 1190 = 159.66 → 1.60 (with shipping, 14.95: 238.70 → 2.39).
        #expect(try Pricing.totals(subtotal: eur(1000), country: "DE", member: true).vatIncluded == eur(160))
        #expect(try Pricing.totals(subtotal: eur(1000), country: "DE", member: false).vatIncluded == eur(239))
    }

    @Test func membersShipFreeAtAnySubtotal() throws {
        let totals = try Pricing.totals(subtotal: eur(1000), country: "DE", member: true)
        #expect(totals.shipping == eur(0))
        #expect(totals.total == eur(1000))
    }

    /// The VAT of any total is computed without leaving 64 bits (`g · r · 2` did above 2·10^16 minor units, and a
    /// cart holding a product priced that high stopped the process when it was read).
    @Test func theVATOfTheLargestTotalsIsExactAndNoTrap() throws {
        // 9223372036854775807 × 190 / 1190 = 1472639232775132271.6… → …272; at 21 %, …618.5… → …619.
        #expect(try Pricing.totals(subtotal: eur(.max), country: "DE", member: true).vatIncluded == eur(1_472_639_232_775_132_272))
        #expect(try Pricing.totals(subtotal: eur(.max), country: "NL", member: true).vatIncluded == eur(1_600_750_518_792_977_619))
        // 50 lines of 99 units at the highest price the catalog takes (10^10): 49500000000000 × 190 / 1190 = 7903361344537.8 → …538.
        let largest: Int64 = 10_000_000_000 * 99 * 50
        #expect(try Pricing.totals(subtotal: eur(largest), country: "DE", member: false).vatIncluded == eur(7_903_361_344_538))
    }

    @Test func anEmptyCartCostsNothing() throws {
        #expect(
            try Pricing.totals(subtotal: eur(0), country: "DE", member: false)
                == Totals(
                    subtotal: eur(0),
                    shipping: eur(0),
                    vatIncluded: eur(0),
                    vatRatePerMille: 190,
                    total: eur(0)
                )
        )
    }

    @Test func anUnknownCountryPaysGermanyRateAndCaseDoesNotMatter() throws {
        #expect(Pricing.vatRate(for: "US") == 190)
        #expect(Pricing.vatRate(for: "nl") == 210)
        let american = try Pricing.totals(subtotal: eur(1999), country: "US", member: false)
        let german = try Pricing.totals(subtotal: eur(1999), country: "DE", member: false)
        #expect(american == german)
    }

    @Test func anotherCurrencyIsRefused() {
        #expect(throws: MoneyError.self) { try Pricing.totals(subtotal: Money(minorUnits: 1999, currency: "USD"), country: "DE", member: false) }
    }
}
