/// Why an operation on ``Money`` has no correct answer.
///
/// It crosses a wire as part of a service's own failure (a capability wraps it, for example
/// `OrdersError.money(MoneyError)`), and its ``description`` is a sentence a shopper or operator can read.
public enum MoneyError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// The amounts are in different currencies: the first, then the second.
    case currencyMismatch(String, String)
    /// The result does not fit in 64-bit minor units.
    case overflow
    /// An amount was to be split into no parts.
    case noParts
    /// Allocation weights were negative, all zero, or too large to add up.
    case invalidWeights

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .currencyMismatch(let first, let second):
            "Amounts in \(first) and \(second) cannot be combined or compared; convert one of them first."
        case .overflow:
            "The amount is too large to be represented."
        case .noParts:
            "An amount cannot be split into no parts."
        case .invalidWeights:
            "An amount can only be split over weights that are zero or positive, not all zero, and not too large in total."
        }
    }
}
