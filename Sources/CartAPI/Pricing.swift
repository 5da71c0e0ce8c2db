public import Commerce

/// What an order of some lines costs, as the cart and the order both show it: prices include VAT.
public struct Totals: Codable, Sendable, Hashable {
    /// The lines' totals added up.
    public var subtotal: Money
    /// Shipping: a flat fee, free above a threshold and for members.
    public var shipping: Money
    /// The VAT included in ``total``, at the destination's rate.
    public var vatIncluded: Money
    /// The VAT rate of the destination, in per mille (190 is 19 %).
    public var vatRatePerMille: Int
    /// What is paid: subtotal plus shipping.
    public var total: Money

    /// Creates the value.
    public init(subtotal: Money, shipping: Money, vatIncluded: Money, vatRatePerMille: Int, total: Money) {
        self.subtotal = subtotal
        self.shipping = shipping
        self.vatIncluded = vatIncluded
        self.vatRatePerMille = vatRatePerMille
        self.total = total
    }
}

/// The shop's price rules: shipping and VAT. Pure functions, so the cart and the checkout compute alike.
public enum Pricing {
    /// The currency every price is in.
    public static let currency = "EUR"
    /// Shipping below the threshold, for non-members: 4.95 EUR.
    public static let shippingFee = Money(minorUnits: 495, currency: "EUR")
    /// A subtotal of at least this ships free: 50.00 EUR.
    public static let freeShippingThreshold = Money(minorUnits: 5000, currency: "EUR")
    /// The destination used when none is known.
    public static let defaultCountry = "DE"
    /// VAT rates by destination (ISO 3166-1 alpha-2), in per mille; other countries pay the default country's.
    public static let vatRates: [String: Int] = [
        "AT": 200, "BE": 210, "DE": 190, "DK": 250, "ES": 210, "FI": 255, "FR": 200, "IE": 230, "IT": 220, "LU": 170,
        "NL": 210, "PL": 230, "PT": 230, "SE": 250,
    ]

    /// The VAT rate of `country`, in per mille.
    public static func vatRate(for country: String) -> Int {
        vatRates[country.uppercased()] ?? vatRates[defaultCountry] ?? 190
    }

    /// The totals of lines worth `subtotal` sent to `country`.
    /// - Parameters:
    ///   - subtotal: The lines' totals added up, in ``currency``.
    ///   - country: The destination, ISO 3166-1 alpha-2.
    ///   - member: Whether the customer is a member (free shipping).
    /// - Throws: `MoneyError` for another currency or an overflow.
    public static func totals(subtotal: Money, country: String, member: Bool) throws(MoneyError) -> Totals {
        let aboveThreshold = try subtotal >= freeShippingThreshold
        let free = member || subtotal.isZero || aboveThreshold
        let shipping = free ? Money.zero(subtotal.currency) : shippingFee
        let total = try subtotal + shipping
        let rate = vatRate(for: country)
        // Gross prices: the VAT in a gross amount g at rate r is g · r / (1000 + r), rounded half up to the cent. With
        // g = q · d + m (d = 1000 + r), that is q · r plus m · r / d rounded: no product leaves 64 bits for any total
        // (g · r · 2 did for totals above 2·10^16 minor units and stopped the process).
        let divisor = Int64(1000 + rate)
        let (whole, rest) = total.minorUnits.quotientAndRemainder(dividingBy: divisor)
        let vat = whole * Int64(rate) + (rest * Int64(rate) * 2 + divisor) / (divisor * 2)
        return Totals(
            subtotal: subtotal,
            shipping: shipping,
            vatIncluded: Money(minorUnits: vat, currency: total.currency),
            vatRatePerMille: rate,
            total: total
        )
    }
}
