/// An amount of money: integer minor units (cents) and an ISO 4217 currency code. Never a floating-point number.
public struct Money: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The amount in the currency's minor unit: 1999 is 19.99 EUR.
    public var minorUnits: Int64
    /// The ISO 4217 code, three upper-case letters.
    public var currency: String

    /// Creates an amount.
    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Whether the currency code has the ISO 4217 form.
    public var hasValidCurrency: Bool {
        currency.utf8.count == 3 && currency.utf8.allSatisfy { (65...90).contains($0) }
    }

    /// `19.99 EUR` (two decimals, which fits the currencies the shop uses).
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}
