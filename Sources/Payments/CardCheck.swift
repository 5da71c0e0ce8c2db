import Foundation
import PaymentsAPI
import Security

/// The checks a card passes before any issuer sees it, and what Payments keeps of it.
///
/// Number: 13 to 19 digits (spaces and dashes ignored) passing the Luhn check; expiry month 1 to 12 and the end
/// of the expiry month (UTC) not passed; verification code all digits, as many as the brand's (4 for American
/// Express, else 3). Each failure names the member at fault, with a reason worded to follow it.
struct CardCheck: Sendable {
    /// The key of the fingerprints: the system's secret.
    let secret: [UInt8]

    /// The summary Payments keeps of a valid card, with its digits for the simulated network.
    struct Checked: Sendable {
        /// Brand, last four, expiry, fingerprint.
        let summary: CardSummary
        /// The number's digits: given to the simulated network, never stored or logged.
        let digits: String
    }

    /// Checks `card` at `now`.
    /// - Throws: ``PaymentsAPI/PaymentsError/invalidCard(_:field:)``.
    func check(_ card: CardDetails, at now: Date) throws(PaymentsError) -> Checked {
        let digits = card.digits
        guard digits.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .invalidCard("must hold only digits, spaces and dashes", field: "card.number")
        }
        guard (13...19).contains(digits.utf8.count) else { throw .invalidCard("must have 13 to 19 digits", field: "card.number") }
        guard Self.passesLuhn(digits) else { throw .invalidCard("fails the Luhn check", field: "card.number") }
        guard (1...12).contains(card.expMonth) else { throw .invalidCard("must be from 1 to 12", field: "card.expMonth") }
        guard (1000...9999).contains(card.expYear) else { throw .invalidCard("must be a four-digit year", field: "card.expYear") }
        let (year, month) = Self.yearAndMonth(of: now)
        if card.expYear < year { throw .invalidCard("is in the past", field: "card.expYear") }
        if card.expYear == year && card.expMonth < month { throw .invalidCard("is in the past", field: "card.expMonth") }
        let brand = CardBrand(number: digits)
        let cvc = card.cvc.utf8
        guard cvc.count == brand.cvcLength, cvc.allSatisfy({ (48...57).contains($0) }) else {
            throw .invalidCard("must be \(brand.cvcLength) digits", field: "card.cvc")
        }
        let summary = CardSummary(
            brand: brand,
            last4: String(digits.suffix(4)),
            expMonth: card.expMonth,
            expYear: card.expYear,
            fingerprint: fingerprint(digits)
        )
        return Checked(summary: summary, digits: digits)
    }

    /// The hex HMAC-SHA-256 of the digits under the system's secret: the same card always gives the same
    /// fingerprint, and the number cannot be recovered from it without the secret.
    func fingerprint(_ digits: String) -> String {
        Self.hex(HMAC.sha256(key: secret, message: Array(digits.utf8)))
    }

    /// A keyed hash of some card text under a label (`number`, `cvc`), for an idempotency key's request identity:
    /// it tells two requests apart without the text itself, or even its plain hash, being stored.
    func blind(_ text: String, as label: String) -> String {
        Self.hex(HMAC.sha256(key: secret, message: Array("\(label):\(text)".utf8)))
    }

    /// Whether a card with this expiry has expired at `now` (after the last instant of its month, UTC).
    static func hasExpired(month: Int, year: Int, at now: Date) -> Bool {
        let (currentYear, currentMonth) = yearAndMonth(of: now)
        return year < currentYear || (year == currentYear && month < currentMonth)
    }

    /// Luhn's check digit test.
    static func passesLuhn(_ digits: String) -> Bool {
        var sum = 0
        for (index, byte) in digits.utf8.reversed().enumerated() {
            var digit = Int(byte) - 48
            if index % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }

    /// The year and month of `date` in UTC.
    static func yearAndMonth(of date: Date) -> (Int, Int) {
        let parts = utcCalendar.dateComponents([.year, .month], from: date)
        return (parts.year ?? 0, parts.month ?? 0)
    }

    /// The Gregorian calendar in UTC: expiry months and subscription periods are reckoned in it.
    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
