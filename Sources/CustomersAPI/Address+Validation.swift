import ServiceKit

extension Address {
    /// The longest ``name``, in characters.
    public static let maximumNameLength = 100
    /// The longest ``line1`` or ``line2``, in characters.
    public static let maximumLineLength = 200
    /// The longest ``city``, in characters.
    public static let maximumCityLength = 100

    /// The address checked and normalised, as the address book stores it and the checkout should ship to it.
    ///
    /// A pure function, so any module can check an address without a call. Every field is trimmed; an empty
    /// `line2` or `phone` becomes `nil`; the country is upper-cased; the postal code takes its country's form
    /// (`1234ab` in `NL` becomes `1234 AB`, `sw1a1aa` in `GB` becomes `SW1A 1AA`, `941051804` in `US` becomes
    /// `94105-1804`); the phone number loses its spaces and dashes (`+31 20-123 4567` becomes `+31201234567`).
    ///
    /// Required: `name`, `line1`, `city`, `postalCode`, `country`. The country must be an ISO 3166-1 alpha-2 code
    /// (``Countries/codes``). Postal codes follow their country's pattern in `DE` and `FR` (five digits), `NL`
    /// (four digits, the first not 0, and two letters, not `SA`, `SD` or `SS`), `GB` (outward and inward code,
    /// such as `SW1A 1AA`, `M1 1AE` or `EC1A 1BB`) and `US` (five digits, or ZIP+4); elsewhere 1 to 10 letters,
    /// digits, spaces or hyphens.
    ///
    /// ```swift
    /// let address = try Address(name: "Anna", line1: "Damrak 1", city: "Amsterdam", postalCode: "1012lg", country: "nl").validated()
    /// // address.postalCode == "1012 LG", address.country == "NL"
    /// ```
    /// - Throws: ``CustomersError/invalidAddress(_:)`` listing every field at fault at once, each named by its
    ///   member (`postalCode`) with a message worded to follow the name (`is required`).
    public func validated() throws(CustomersError) -> Address {
        var errors: [FieldError] = []
        let name = FieldRules.required(name, field: "name", limit: Self.maximumNameLength, errors: &errors)
        let line1 = FieldRules.required(line1, field: "line1", limit: Self.maximumLineLength, errors: &errors)
        let line2 = FieldRules.optional(line2, field: "line2", limit: Self.maximumLineLength, errors: &errors)
        let city = FieldRules.required(city, field: "city", limit: Self.maximumCityLength, errors: &errors)
        let postalCode = FieldRules.required(postalCode, field: "postalCode", limit: 20, errors: &errors)
        let country = FieldRules.required(country, field: "country", limit: nil, errors: &errors).uppercased()
        let knownCountry = Countries.codes.contains(country)
        if !country.isEmpty && !knownCountry && !errors.contains(where: { $0.field == "country" }) {
            errors.append(FieldError(field: "country", message: "is not an ISO 3166-1 alpha-2 country code"))
        }
        var normalisedCode = postalCode
        if !postalCode.isEmpty && !errors.contains(where: { $0.field == "postalCode" }) {
            let rule = PostalCodeRule(country: knownCountry ? country : nil)
            if let code = rule.normalised(postalCode) {
                normalisedCode = code
            } else {
                errors.append(FieldError(field: "postalCode", message: rule.requirement))
            }
        }
        let phone = FieldRules.phone(phone, field: "phone", errors: &errors)
        guard errors.isEmpty else { throw .invalidAddress(errors) }
        return Address(name: name, line1: line1, line2: line2, city: city, postalCode: normalisedCode, country: country, phone: phone)
    }
}

/// The checks fields of addresses and profiles share.
enum FieldRules {
    /// `value` trimmed; an error when it is empty, longer than `limit` characters (when there is a limit) or holds
    /// control characters.
    static func required(_ value: String, field: String, limit: Int?, errors: inout [FieldError]) -> String {
        let text = trimmed(value)
        if text.isEmpty {
            errors.append(FieldError(field: field, message: "is required"))
        } else {
            check(text, field: field, limit: limit, errors: &errors)
        }
        return text
    }

    /// `value` trimmed, `nil` when absent or empty; an error when it is too long or holds control characters.
    static func optional(_ value: String?, field: String, limit: Int, errors: inout [FieldError]) -> String? {
        guard let value else { return nil }
        let text = trimmed(value)
        if text.isEmpty { return nil }
        check(text, field: field, limit: limit, errors: &errors)
        return text
    }

    /// A phone number in international form without spaces and dashes (`+31201234567`), `nil` when absent or
    /// empty; an error when it is not `+` and 6 to 15 digits.
    static func phone(_ value: String?, field: String, errors: inout [FieldError]) -> String? {
        guard let value else { return nil }
        let text = trimmed(value)
        if text.isEmpty { return nil }
        let compact = String(text.unicodeScalars.filter { $0 != " " && $0 != "-" })
        let digits = compact.utf8.dropFirst()
        guard compact.utf8.first == UInt8(ascii: "+"), (6...15).contains(digits.count), digits.allSatisfy(ASCIIText.isDigit) else {
            errors.append(
                FieldError(field: field, message: "must be a phone number in international form, + and 6 to 15 digits, like +31 20 123 4567")
            )
            return text
        }
        return compact
    }

    /// `value` without surrounding white space (spaces, tabs, line breaks, no-break spaces).
    static func trimmed(_ value: String) -> String {
        var characters = Substring(value)
        while let first = characters.first, first.isWhitespace { characters.removeFirst() }
        while let last = characters.last, last.isWhitespace { characters.removeLast() }
        return String(characters)
    }

    private static func check(_ text: String, field: String, limit: Int?, errors: inout [FieldError]) {
        if text.unicodeScalars.contains(where: isControl) {
            errors.append(FieldError(field: field, message: "must not contain line breaks or control characters"))
        } else if let limit, text.count > limit {
            errors.append(FieldError(field: field, message: "must be at most \(limit) characters"))
        }
    }

    /// Control characters, and the line and paragraph separators: nothing a name or a mail header may hold.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}

/// Tests on ASCII bytes.
enum ASCIIText {
    static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
    static func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
}

/// A country's postal-code pattern and normal form.
struct PostalCodeRule {
    /// The country, when it is known; the loose rule applies otherwise.
    let country: String?

    /// What a code must be, worded to follow the field's name.
    var requirement: String {
        switch country {
        case "DE": "must be a postal code of DE, like 10115"
        case "FR": "must be a postal code of FR, like 75001"
        case "NL": "must be a postal code of NL, like 1234 AB"
        case "GB": "must be a postal code of GB, like SW1A 1AA"
        case "US": "must be a postal code of US, like 94105 or 94105-1804"
        default: "must be 1 to 10 letters, digits, spaces or hyphens"
        }
    }

    /// `code` (trimmed) in its country's normal form, or `nil` when it does not fit the pattern.
    func normalised(_ code: String) -> String? {
        // Upper case, one space between words.
        let words = code.uppercased().split(whereSeparator: { $0.isWhitespace })
        let spaced = words.joined(separator: " ")
        let compact = words.joined()
        let bytes = Array(compact.utf8)
        switch country {
        case "DE", "FR":
            return bytes.count == 5 && bytes.allSatisfy(ASCIIText.isDigit) ? compact : nil
        case "NL":
            // 1000–9999 and two letters; SA, SD and SS are not used.
            guard bytes.count == 6, bytes[0] != UInt8(ascii: "0"), bytes[0..<4].allSatisfy(ASCIIText.isDigit),
                bytes[4...].allSatisfy(ASCIIText.isLetter), !["SA", "SD", "SS"].contains(String(compact.suffix(2)))
            else { return nil }
            return "\(compact.prefix(4)) \(compact.suffix(2))"
        case "GB":
            guard Self.isBritish(compact) else { return nil }
            return "\(compact.dropLast(3)) \(compact.suffix(3))"
        case "US":
            if bytes.count == 5 && bytes.allSatisfy(ASCIIText.isDigit) { return compact }
            let digits = bytes.filter { $0 != UInt8(ascii: "-") }
            let hyphenAtFive = bytes.count == 10 && bytes[5] == UInt8(ascii: "-")
            guard digits.count == 9, digits.allSatisfy(ASCIIText.isDigit), bytes.count == 9 || hyphenAtFive else { return nil }
            return "\(compact.prefix(5))-\(String(decoding: digits.suffix(4), as: UTF8.self))"
        default:
            let allowed = spaced.utf8.allSatisfy { ASCIIText.isDigit($0) || ASCIIText.isLetter($0) || $0 == 32 || $0 == 45 }
            guard (1...10).contains(spaced.utf8.count), allowed, compact.utf8.contains(where: { ASCIIText.isDigit($0) || ASCIIText.isLetter($0) })
            else { return nil }
            return spaced
        }
    }

    /// Whether `code` (upper case, no spaces) is a UK postcode: an outward code (`SW1A`, `M1`, `EC1A`, `B33`,
    /// `W1A`) and an inward code (`1AA`), with the letters each position allows; `GIR0AA` too.
    private static func isBritish(_ code: String) -> Bool {
        let pattern =
            #/
            (?: [A-PR-UWYZ] [0-9]{1,2}                     # M1, B33
              | [A-PR-UWYZ] [A-HK-Y] [0-9]{1,2}            # CR2, DN55
              | [A-PR-UWYZ] [0-9] [A-HJKPSTUW]             # W1A
              | [A-PR-UWYZ] [A-HK-Y] [0-9] [ABEHMNPRVWXY]  # SW1A, EC1A
            )
            [0-9] [ABD-HJLNP-UW-Z]{2}                      # 1AA
            /#
        return code == "GIR0AA" || code.wholeMatch(of: pattern) != nil
    }
}
