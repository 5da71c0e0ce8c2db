/// An amount of money: integer minor units (cents) and an ISO 4217 currency code. Never a floating-point number.
///
/// Arithmetic is exact and currency-safe: combining two currencies or leaving `Int64`'s range throws a
/// ``MoneyError`` instead of producing a wrong number, and ``allocated(over:)`` splits an amount without losing or
/// inventing a minor unit.
///
/// ```swift
/// let price = Money(minorUnits: 1999, currency: "EUR")
/// let line = try price * Quantity(3)                      // 59.97 EUR
/// let total = try line + Money(minorUnits: 495, currency: "EUR")
/// let refunds = try total.split(into: 3)                  // 21.49, 21.49, 21.48 EUR
/// try total + Money(minorUnits: 100, currency: "USD")      // throws MoneyError.currencyMismatch
/// ```
///
/// On the wire it is `{"minorUnits": 1999, "currency": "EUR"}`. Equality compares both fields, so `0 EUR` is not
/// `0 USD`; ordering is only defined within one currency, which is why `Money` is not `Comparable` and its
/// comparison operators throw.
public struct Money: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The amount in the currency's minor unit: 1999 is 19.99 EUR.
    public let minorUnits: Int64
    /// The ISO 4217 code, three upper-case letters.
    public let currency: String

    /// Creates an amount.
    ///
    /// The currency is not checked here, so that a value read from a request can be reported as invalid by the
    /// service that owns the rule (see ``hasValidCurrency``).
    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Nothing, in `currency`: the start of a sum.
    public static func zero(_ currency: String) -> Money {
        Money(minorUnits: 0, currency: currency)
    }

    /// Whether the currency code has the ISO 4217 form.
    public var hasValidCurrency: Bool {
        currency.utf8.count == 3 && currency.utf8.allSatisfy { (65...90).contains($0) }
    }

    /// Whether the amount is zero.
    public var isZero: Bool { minorUnits == 0 }

    /// Whether the amount is below zero, as a refund or a discount is.
    public var isNegative: Bool { minorUnits < 0 }

    /// `19.99 EUR` (two decimals, which fits the currencies the shop uses).
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }

    // MARK: - Arithmetic

    /// The sum of two amounts of one currency.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)`` for different currencies, ``MoneyError/overflow`` when the
    ///   sum leaves `Int64`'s range.
    public static func + (lhs: Money, rhs: Money) throws(MoneyError) -> Money {
        try lhs.requireSameCurrency(as: rhs)
        let (sum, overflow) = lhs.minorUnits.addingReportingOverflow(rhs.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: lhs.currency)
    }

    /// The difference of two amounts of one currency.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)`` for different currencies, ``MoneyError/overflow`` when the
    ///   difference leaves `Int64`'s range.
    public static func - (lhs: Money, rhs: Money) throws(MoneyError) -> Money {
        try lhs.requireSameCurrency(as: rhs)
        let (difference, overflow) = lhs.minorUnits.subtractingReportingOverflow(rhs.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: difference, currency: lhs.currency)
    }

    /// The amount with the opposite sign, as a refund of a charge.
    /// - Throws: ``MoneyError/overflow`` for `Int64.min` minor units, whose opposite does not exist.
    public static prefix func - (amount: Money) throws(MoneyError) -> Money {
        let (negated, overflow) = Int64(0).subtractingReportingOverflow(amount.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: negated, currency: amount.currency)
    }

    /// The amount times `factor`, such as a unit price times a line's count.
    /// - Throws: ``MoneyError/overflow`` when the product leaves `Int64`'s range.
    public static func * (amount: Money, factor: Int) throws(MoneyError) -> Money {
        let (product, overflow) = amount.minorUnits.multipliedReportingOverflow(by: Int64(factor))
        guard !overflow else { throw .overflow }
        return Money(minorUnits: product, currency: amount.currency)
    }

    /// A unit price times a quantity: a line's total.
    /// - Throws: ``MoneyError/overflow`` when the product leaves `Int64`'s range.
    public static func * (amount: Money, quantity: Quantity) throws(MoneyError) -> Money {
        try amount * quantity.value
    }

    /// The sum of `amounts`, all in `currency`; zero for none.
    ///
    /// The currency is named rather than taken from the first amount, so that an empty basket still has a total.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)`` at the first amount in another currency,
    ///   ``MoneyError/overflow`` when the sum leaves `Int64`'s range.
    public static func sum(_ amounts: some Sequence<Money>, currency: String) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for amount in amounts { total = try total + amount }
        return total
    }

    // MARK: - Comparison

    /// Whether `lhs` is less than `rhs`.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)``: amounts of different currencies have no order.
    public static func < (lhs: Money, rhs: Money) throws(MoneyError) -> Bool {
        try lhs.requireSameCurrency(as: rhs)
        return lhs.minorUnits < rhs.minorUnits
    }

    /// Whether `lhs` is at most `rhs`.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)``: amounts of different currencies have no order.
    public static func <= (lhs: Money, rhs: Money) throws(MoneyError) -> Bool {
        try lhs.requireSameCurrency(as: rhs)
        return lhs.minorUnits <= rhs.minorUnits
    }

    /// Whether `lhs` is more than `rhs`.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)``: amounts of different currencies have no order.
    public static func > (lhs: Money, rhs: Money) throws(MoneyError) -> Bool {
        try lhs.requireSameCurrency(as: rhs)
        return lhs.minorUnits > rhs.minorUnits
    }

    /// Whether `lhs` is at least `rhs`.
    /// - Throws: ``MoneyError/currencyMismatch(_:_:)``: amounts of different currencies have no order.
    public static func >= (lhs: Money, rhs: Money) throws(MoneyError) -> Bool {
        try lhs.requireSameCurrency(as: rhs)
        return lhs.minorUnits >= rhs.minorUnits
    }

    private func requireSameCurrency(as other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
    }

    // MARK: - Allocation

    /// Splits the amount into `parts` amounts as equal as possible, which add up to it exactly.
    ///
    /// The first parts take the minor units that do not divide evenly: 100 into 3 is 34, 33, 33; -100 into 3 is
    /// -34, -33, -33.
    /// - Throws: ``MoneyError/noParts`` when `parts` is less than 1.
    public func split(into parts: Int) throws(MoneyError) -> [Money] {
        guard parts >= 1 else { throw .noParts }
        return try allocated(over: Array(repeating: 1, count: parts))
    }

    /// Splits the amount in proportion to `weights` (a line's total, a refund's share), so that the parts add up
    /// to it exactly.
    ///
    /// Each part is first its exact share rounded towards zero; the minor units left over (fewer than the number
    /// of weights) go one each to the parts whose shares lost the largest fractions, the earlier part first on a
    /// tie: the largest-remainder method. A negative amount is split as its magnitude and every part negated, so
    /// refunds split the same way as the charges they undo. A zero weight gets a zero part.
    ///
    /// ```swift
    /// try Money(minorUnits: 1000, currency: "EUR").allocated(over: [1, 1, 1])    // 3.34, 3.33, 3.33 EUR
    /// try Money(minorUnits: 500, currency: "EUR").allocated(over: [2000, 1000])  // 3.33, 1.67 EUR
    /// ```
    /// - Throws: ``MoneyError/noParts`` for no weights; ``MoneyError/invalidWeights`` when a weight is negative,
    ///   all are zero, or their sum leaves `Int64`'s range.
    public func allocated(over weights: [Int]) throws(MoneyError) -> [Money] {
        guard !weights.isEmpty else { throw .noParts }
        var totalWeight: UInt64 = 0
        for weight in weights {
            guard weight >= 0 else { throw .invalidWeights }
            let (sum, overflow) = totalWeight.addingReportingOverflow(UInt64(weight))
            guard !overflow, sum <= UInt64(Int64.max) else { throw .invalidWeights }
            totalWeight = sum
        }
        guard totalWeight > 0 else { throw .invalidWeights }

        // Exact in 128 bits: magnitude × weight ÷ total weight, whose quotient never exceeds the magnitude.
        let magnitude = minorUnits.magnitude
        var shares: [UInt64] = []
        var remainders: [UInt64] = []
        shares.reserveCapacity(weights.count)
        remainders.reserveCapacity(weights.count)
        var allocated: UInt64 = 0
        for weight in weights {
            let product = magnitude.multipliedFullWidth(by: UInt64(weight))
            let (share, remainder) = totalWeight.dividingFullWidth(product)
            shares.append(share)
            remainders.append(remainder)
            allocated += share
        }
        let leftover = Int(magnitude - allocated)
        if leftover > 0 {
            // Largest remainder first; on a tie the earlier part, so the result does not depend on the sort.
            let order = remainders.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
            for index in order.prefix(leftover) { shares[index] += 1 }
        }
        return shares.map { share in
            // A share is at most the magnitude, at most 2^63 (for Int64.min), which negates to Int64.min exactly.
            let units = minorUnits < 0 ? Int64(truncatingIfNeeded: 0 &- share) : Int64(share)
            return Money(minorUnits: units, currency: currency)
        }
    }
}
