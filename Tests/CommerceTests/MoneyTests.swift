import Commerce
import Foundation
import Testing

@Suite struct MoneyTests {
    private static func eur(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: "EUR") }
    private static func usd(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: "USD") }

    @Test func keepsItsJSONShapeAndDescription() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(Self.eur(1999)), as: UTF8.self) == #"{"currency":"EUR","minorUnits":1999}"#)
        #expect(try JSONDecoder().decode(Money.self, from: Data(#"{"minorUnits":-5,"currency":"USD"}"#.utf8)) == Self.usd(-5))
        #expect(Self.eur(1999).description == "19.99 EUR")
        #expect(Self.eur(-5).description == "-0.05 EUR")
        #expect(Money.zero("EUR") == Self.eur(0))
        #expect(Money.zero("EUR") != Money.zero("USD"), "zero euros are not zero dollars")
    }

    @Test func addsAndSubtractsWithinOneCurrency() throws {
        #expect(try Self.eur(1999) + Self.eur(1) == Self.eur(2000))
        #expect(try Self.eur(100) - Self.eur(250) == Self.eur(-150))
        #expect(try -Self.eur(100) == Self.eur(-100))
        #expect(try Money.sum([Self.eur(1), Self.eur(2), Self.eur(3)], currency: "EUR") == Self.eur(6))
        #expect(try Money.sum([], currency: "EUR") == Money.zero("EUR"))
    }

    @Test func refusesToMixCurrencies() {
        #expect(throws: MoneyError.currencyMismatch("EUR", "USD")) { try Self.eur(1) + Self.usd(1) }
        #expect(throws: MoneyError.currencyMismatch("USD", "EUR")) { try Self.usd(1) - Self.eur(1) }
        #expect(throws: MoneyError.currencyMismatch("EUR", "USD")) { try Self.eur(1) < Self.usd(2) }
        #expect(throws: MoneyError.currencyMismatch("EUR", "USD")) { try Self.eur(1) >= Self.usd(2) }
        #expect(throws: MoneyError.currencyMismatch("EUR", "USD")) { try Money.sum([Self.eur(1), Self.usd(1)], currency: "EUR") }
        #expect(throws: MoneyError.currencyMismatch("USD", "EUR")) { try Money.sum([Self.eur(1)], currency: "USD") }
    }

    @Test func comparesWithinOneCurrency() throws {
        #expect(try Self.eur(1) < Self.eur(2))
        #expect(try Self.eur(2) <= Self.eur(2))
        #expect(try Self.eur(3) > Self.eur(-3))
        #expect(try !(Self.eur(2) >= Self.eur(3)))
    }

    @Test func overflowThrowsInsteadOfWrapping() throws {
        #expect(throws: MoneyError.overflow) { try Self.eur(.max) + Self.eur(1) }
        #expect(throws: MoneyError.overflow) { try Self.eur(.min) - Self.eur(1) }
        #expect(throws: MoneyError.overflow) { try -Self.eur(.min) }
        #expect(throws: MoneyError.overflow) { try Self.eur(.max / 2 + 1) * 2 }
        #expect(throws: MoneyError.overflow) { try Self.eur(.min) * -1 }
        #expect(throws: MoneyError.overflow) { try Self.eur(Int64.max / 999_999) * Quantity(1_000_000) }
        #expect(try Self.eur(1999) * Quantity(3) == Self.eur(5997))
        #expect(try Self.eur(-250) * 4 == Self.eur(-1000))
        // The largest quantity times a price of 92 billion euros still fits, as Quantity.maximum promises.
        #expect(try Self.eur(9_200_000_000_000) * Quantity(Quantity.maximum) == Self.eur(9_200_000_000_000_000_000))
    }

    @Test func splitsGiveTheLeftoverUnitsToTheFirstParts() throws {
        #expect(try Self.eur(100).split(into: 3) == [Self.eur(34), Self.eur(33), Self.eur(33)])
        #expect(try Self.eur(-100).split(into: 3) == [Self.eur(-34), Self.eur(-33), Self.eur(-33)])
        #expect(try Self.eur(2).split(into: 5) == [Self.eur(1), Self.eur(1), Self.eur(0), Self.eur(0), Self.eur(0)])
        #expect(try Self.eur(0).split(into: 2) == [Self.eur(0), Self.eur(0)])
        #expect(throws: MoneyError.noParts) { try Self.eur(100).split(into: 0) }
    }

    @Test func allocationFollowsTheWeightsByLargestRemainder() throws {
        // 500 over 2:1 is 333.33 and 166.67: the second share lost the larger fraction and gets the unit.
        #expect(try Self.eur(500).allocated(over: [2000, 1000]) == [Self.eur(333), Self.eur(167)])
        #expect(try Self.eur(-500).allocated(over: [2000, 1000]) == [Self.eur(-333), Self.eur(-167)])
        #expect(try Self.eur(10).allocated(over: [0, 1, 0]) == [Self.eur(0), Self.eur(10), Self.eur(0)])
        #expect(try Self.eur(.min).allocated(over: [1]) == [Self.eur(.min)])
        #expect(try Self.eur(.max).allocated(over: [Int.max / 2, Int.max / 4]).map(\.minorUnits).reduce(0, +) == .max)
        #expect(throws: MoneyError.noParts) { try Self.eur(1).allocated(over: []) }
        #expect(throws: MoneyError.invalidWeights) { try Self.eur(1).allocated(over: [0, 0]) }
        #expect(throws: MoneyError.invalidWeights) { try Self.eur(1).allocated(over: [3, -1]) }
        #expect(throws: MoneyError.invalidWeights) { try Self.eur(1).allocated(over: [Int.max, 1]) }
    }

    /// Many seeded random amounts and weights (1,000 per seed: the checks run on the test pool beside every other
    /// suite, so they stay short): the parts always add up to the amount exactly, each lies within one
    /// minor unit of its exact share (on the same side of zero as the amount), and a zero weight gets nothing.
    @Test(arguments: [1, 2, 3, 4])
    func allocationNeverLosesOrInventsAMinorUnit(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<1_000 {
            let amount: Int64 =
                switch random.next() % 4 {
                case 0: Int64.random(in: -1_000...1_000, using: &random)
                case 1: Int64.random(in: -10_000_000...10_000_000, using: &random)
                case 2: Int64.random(in: .min ... .max, using: &random)
                default: [Int64.min, Int64.max, Int64.min + 1, Int64.max - 1, 0, 1, -1][Int(random.next() % 7)]
                }
            let count = Int.random(in: 1...12, using: &random)
            let bound = [1, 10, 1_000_000, Int.max / 16][Int(random.next() % 4)]
            var weights = (0..<count).map { _ in random.next() % 5 == 0 ? 0 : Int.random(in: 0...bound, using: &random) }
            if weights.allSatisfy({ $0 == 0 }) { weights[0] = 1 }

            let parts = try Money(minorUnits: amount, currency: "EUR").allocated(over: weights)
            #expect(parts.count == weights.count)
            #expect(parts.allSatisfy { $0.currency == "EUR" })
            let sum = parts.reduce(Int128(0)) { $0 + Int128($1.minorUnits) }
            #expect(sum == Int128(amount), "\(amount) over \(weights) gave \(parts)")
            let totalWeight = Int128(weights.reduce(0, +))
            for (part, weight) in zip(parts, weights) {
                // |part − amount × weight ÷ total| < 1, in integers.
                let error = Int128(part.minorUnits) * totalWeight - Int128(amount) * Int128(weight)
                #expect(error.magnitude < totalWeight.magnitude, "\(amount) over \(weights) gave \(parts)")
                #expect(part.minorUnits == 0 || (part.minorUnits < 0) == (amount < 0))
                if weight == 0 { #expect(part.minorUnits == 0) }
            }
        }
    }

    @Test(arguments: [5, 6])
    func splitsAreAsEqualAsPossible(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<1_000 {
            let amount = Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...62, using: &random)
            let parts = try Money(minorUnits: amount, currency: "USD").split(into: Int.random(in: 1...50, using: &random))
            let units = parts.map(\.minorUnits)
            #expect(units.reduce(Int128(0)) { $0 + Int128($1) } == Int128(amount))
            #expect(units.max()! - units.min()! <= 1)
        }
    }

    @Test func errorsCrossAWireAndReadAsSentences() throws {
        let errors: [MoneyError] = [.currencyMismatch("EUR", "USD"), .overflow, .noParts, .invalidWeights]
        for error in errors {
            let decoded = try JSONDecoder().decode(MoneyError.self, from: JSONEncoder().encode(error))
            #expect(decoded == error)
            #expect(error.description.first?.isUppercase == true && error.description.hasSuffix("."))
            #expect(!error.description.contains("("), "no Swift enum dump: \(error.description)")
        }
        #expect(MoneyError.currencyMismatch("EUR", "USD").description.contains("EUR and USD"))
    }
}

/// A seeded generator, so a failing case can be reproduced.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
