public import Commerce
public import Foundation
public import ServiceKit

/// Where a customer's Emporium Plus membership stands, as Customers last heard from Payments.
public enum MembershipStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Never subscribed.
    case none
    /// Paid for the current period.
    case active
    /// A renewal was declined and is being retried; still a member meanwhile.
    case pastDue = "past_due"
    /// Every retry of a renewal was declined: no longer a member.
    case lapsed
    /// Ended by the customer: no longer a member.
    case canceled
}

/// A customer's membership, kept from Payments' subscription events.
public struct Membership: Codable, Sendable, Hashable {
    /// Where it stands.
    public var status: MembershipStatus
    /// The plan's identifier (`plus`), once the customer has subscribed.
    public var plan: String?
    /// While a member (`active`, `past_due`): when the subscription began; once it ended (`lapsed`, `canceled`): when
    /// it ended; `nil` for ``MembershipStatus/none``.
    public var since: Date?

    /// Whether the customer is a member: `active` or `past_due`.
    public var isMember: Bool { status == .active || status == .pastDue }

    /// Creates the value.
    public init(status: MembershipStatus = .none, plan: String? = nil, since: Date? = nil) {
        self.status = status
        self.plan = plan
        self.since = since
    }

    /// Never subscribed.
    public static let none = Membership()

    private enum CodingKeys: String, CodingKey {
        case status, plan, since, isMember
    }

    /// Decodes the value; `isMember` is computed, so it is read past, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(MembershipStatus.self, forKey: .status)
        plan = try container.decodeIfPresent(String.self, forKey: .plan)
        since = try container.decodeIfPresent(Date.self, forKey: .since)
    }

    /// Encodes the value with `isMember`, for clients that only want to know that.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(plan, forKey: .plan)
        try container.encodeIfPresent(since, forKey: .since)
        try container.encode(isMember, forKey: .isMember)
    }
}

/// A customer as the shop knows them: created when they register, changed by themselves and by their membership.
public struct CustomerProfile: Codable, Sendable, Hashable {
    /// The customer (their user id's raw value).
    public var customerId: CustomerID
    /// Their e-mail address, as Identity normalised it: where their mail goes.
    public var email: String
    /// How the shop addresses them; the e-mail address's local part until they choose one.
    public var displayName: String
    /// A phone number in international form, if they gave one.
    public var phone: String?
    /// Whether they want marketing mail (offers); transactional mail (refunds, shipments, membership) is always sent.
    public var marketingOptIn: Bool
    /// Their membership.
    public var membership: Membership
    /// When the profile was created.
    public var createdAt: Date
    /// When the customer last changed it.
    public var updatedAt: Date

    /// Creates the value.
    public init(
        customerId: CustomerID,
        email: String,
        displayName: String,
        phone: String? = nil,
        marketingOptIn: Bool = false,
        membership: Membership = .none,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.customerId = customerId
        self.email = email
        self.displayName = displayName
        self.phone = phone
        self.marketingOptIn = marketingOptIn
        self.membership = membership
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A customer's new profile settings, replacing the old ones as a whole (what `PUT /api/v1/me/profile` sends).
public struct ProfileUpdate: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// How the shop should address them: 1 to 100 characters, trimmed.
    public var displayName: String
    /// A phone number in international form (`+` and 6 to 15 digits; spaces and dashes are dropped); none when
    /// `nil` or empty.
    public var phone: String?
    /// Whether they want marketing mail.
    public var marketingOptIn: Bool

    /// The longest display name, in characters.
    public static let maximumDisplayNameLength = 100

    /// Creates the request.
    public init(customerId: CustomerID, displayName: String, phone: String? = nil, marketingOptIn: Bool) {
        self.customerId = customerId
        self.displayName = displayName
        self.phone = phone
        self.marketingOptIn = marketingOptIn
    }

    /// The update checked and normalised: display name trimmed, phone without spaces and dashes (`nil` when empty).
    /// - Throws: ``CustomersError/invalidProfile(_:)`` listing every field at fault (`displayName`, `phone`).
    public func validated() throws(CustomersError) -> ProfileUpdate {
        var errors: [FieldError] = []
        let name = FieldRules.required(displayName, field: "displayName", limit: Self.maximumDisplayNameLength, errors: &errors)
        let phone = FieldRules.phone(phone, field: "phone", errors: &errors)
        guard errors.isEmpty else { throw .invalidProfile(errors) }
        return ProfileUpdate(customerId: customerId, displayName: name, phone: phone, marketingOptIn: marketingOptIn)
    }
}
