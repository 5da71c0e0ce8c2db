/// A postal address, as the address book keeps it and the checkout takes it.
///
/// On the wire: `{"name", "line1", "line2", "city", "postalCode", "country", "phone"}`, `line2` and `phone`
/// optional. ``validated()`` checks one and returns it normalised; the address book stores only validated
/// addresses.
public struct Address: Codable, Sendable, Hashable {
    /// Who receives the parcel: a person or a company, up to 100 characters.
    public var name: String
    /// The street and number, up to 200 characters.
    public var line1: String
    /// More of the address (a flat, a floor, a c/o), up to 200 characters.
    public var line2: String?
    /// The town or city, up to 100 characters.
    public var city: String
    /// The postal code, in the country's own form (`10115`, `1234 AB`, `SW1A 1AA`, `94105-1804`).
    public var postalCode: String
    /// The ISO 3166-1 alpha-2 code of the country, such as `DE`.
    public var country: String
    /// A phone number for the carrier, in international form (`+31201234567`).
    public var phone: String?

    /// Creates an address; nothing is checked until ``validated()``.
    public init(
        name: String,
        line1: String,
        line2: String? = nil,
        city: String,
        postalCode: String,
        country: String,
        phone: String? = nil
    ) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.country = country
        self.phone = phone
    }
}
