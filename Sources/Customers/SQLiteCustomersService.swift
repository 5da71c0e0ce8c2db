public import Commerce
public import CustomersAPI
public import Foundation
public import IdentityAPI
public import Messaging
public import ServiceKit
public import Storage
public import Telemetry

/// Customers over its own SQLite database: profiles with their membership, address books and notifications, each
/// change in one transaction; notifications are also mailed through a spool of message files beside the database.
public struct SQLiteCustomersService: CustomersService {
    /// What the service is run with.
    public struct Configuration: Sendable {
        /// The `From` of every mail, such as `Emporium <shop@emporium.local>`.
        public var mailFrom: String
        /// The most addresses one book holds.
        public var addressBookLimit: Int
        /// The domain of message ids: `<ntf_…@emporium.local>`.
        public var messageIDDomain: String

        /// Creates a configuration.
        public init(mailFrom: String = "Emporium <shop@emporium.local>", addressBookLimit: Int = 20, messageIDDomain: String = "emporium.local") {
            self.mailFrom = mailFrom
            self.addressBookLimit = addressBookLimit
            self.messageIDDomain = messageIDDomain
        }
    }

    /// Customers' database.
    public let database: Database
    let inbox: Inbox
    let identity: any IdentityService
    /// The mail spool beside the database; `nil` in memory.
    let spool: MailSpool?
    /// Whether notifications are mailed to the spool (`customers.spool`); files of erased customers are deleted
    /// either way.
    let spoolsMail: Bool
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date

    /// Customers over `database`, migrated with ``ModuleKit/Module/customers``'s migrations.
    /// - Parameters:
    ///   - database: Its database.
    ///   - inbox: Where the events it handled are recorded.
    ///   - identity: Identity, asked for the account of a customer whose registration has not arrived yet.
    ///   - mailDirectory: The directory the spool (`mail/`) lives in; no mail is spooled when `nil`.
    ///   - spoolsMail: Whether notifications are mailed to the spool.
    ///   - configuration: Mail and limits.
    ///   - logger: Where skipped events and spool failures go.
    ///   - now: The wall clock, for timestamps.
    public init(
        database: Database,
        inbox: Inbox,
        identity: any IdentityService,
        mailDirectory: String?,
        spoolsMail: Bool = true,
        configuration: Configuration = Configuration(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.inbox = inbox
        self.identity = identity
        self.spool = mailDirectory.map(MailSpool.init(directory:))
        self.spoolsMail = spoolsMail && mailDirectory != nil
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    // MARK: - Profiles

    public func profile(_ customerId: CustomerID) async throws -> CustomerProfile {
        try await ensureProfile(customerId)
    }

    public func updateProfile(_ update: ProfileUpdate) async throws -> CustomerProfile {
        let update = try update.validated()
        _ = try await ensureProfile(update.customerId)
        let stamp = Self.microseconds(now())
        return try await database.write { connection in
            try connection.execute(
                "UPDATE profile SET display_name = ?, phone = ?, marketing_opt_in = ?, updated_us = ? WHERE customer_id = ?",
                [update.displayName, update.phone, update.marketingOptIn, stamp, update.customerId.rawValue]
            )
            // Erased between the two transactions.
            guard let profile = try Self.profile(update.customerId, in: connection) else { throw CustomersError.profileNotFound(update.customerId) }
            return profile
        }
    }

    /// The customer's profile, created from Identity's account when Customers has none yet (the registration event
    /// has not arrived). Creation is the registration handler's own insert, so the two make one profile and one
    /// welcome whichever comes first.
    /// - Throws: ``CustomersError/profileNotFound(_:)`` when Identity knows no such user, or the customer was erased.
    func ensureProfile(_ customerId: CustomerID) async throws -> CustomerProfile {
        let (existing, erased) = try await database.read { connection in
            (try Self.profile(customerId, in: connection), try Self.isErased(customerId, in: connection))
        }
        if let existing { return existing }
        if erased || customerId.rawValue.isEmpty { throw CustomersError.profileNotFound(customerId) }
        let user: User
        do {
            user = try await identity.user(UserID(rawValue: customerId.rawValue))
        } catch IdentityError.userNotFound {
            throw CustomersError.profileNotFound(customerId)
        }
        let created = try await database.write { connection in
            _ = try createProfile(customerId, email: user.email, in: connection)
            return try Self.profile(customerId, in: connection)
        }
        await deliverPendingMail()
        guard let created else { throw CustomersError.profileNotFound(customerId) }
        return created
    }

    /// Creates a customer's profile, unless it exists or the customer was erased, with its welcome notification:
    /// the one insert path of the registration event and of a first call.
    /// - Returns: Whether it was created now.
    func createProfile(_ customerId: CustomerID, email: String, in connection: Connection) throws -> Bool {
        guard try !Self.isErased(customerId, in: connection) else { return false }
        let stamp = Self.microseconds(now())
        let name = Self.defaultDisplayName(email: email)
        try connection.execute(
            """
            INSERT INTO profile (customer_id, email, display_name, marketing_opt_in, created_us, updated_us) VALUES (?, ?, ?, 0, ?, ?)
            ON CONFLICT DO NOTHING
            """,
            [customerId.rawValue, email, name, stamp, stamp]
        )
        guard connection.changes == 1, let profile = try Self.profile(customerId, in: connection) else { return false }
        try notify(profile, [Notices.welcome(name: name)], in: connection)
        return true
    }

    /// The local part of an e-mail address (`zoe` of `zoe@example.com`), at most 100 characters; the whole address
    /// when it has none.
    static func defaultDisplayName(email: String) -> String {
        let local = email.split(separator: "@", maxSplits: 1).first.map(String.init) ?? email
        return String((local.isEmpty ? email : local).prefix(ProfileUpdate.maximumDisplayNameLength))
    }

    // MARK: - Address book

    public func addresses(_ customerId: CustomerID) async throws -> [SavedAddress] {
        try await database.read { try Self.addresses(of: customerId, in: $0) }
    }

    public func address(_ reference: AddressReference) async throws -> SavedAddress {
        guard let found = try await database.read({ try Self.address(reference, in: $0) }) else {
            throw CustomersError.addressNotFound(reference.addressId)
        }
        return found
    }

    public func addAddress(_ request: NewAddress) async throws -> SavedAddress {
        let address = try request.address.validated()
        _ = try await ensureProfile(request.customerId)
        let limit = configuration.addressBookLimit
        let stamp = Self.microseconds(now())
        let id = AddressID(rawValue: RandomID.make(prefix: "adr_"))
        let customer = request.customerId.rawValue
        return try await database.write { connection in
            let count = try connection.scalar(Int.self, "SELECT count(*) FROM address WHERE customer_id = ?", [customer]) ?? 0
            guard count < limit else { throw CustomersError.addressBookFull(limit: limit) }
            let isDefault = request.isDefault || count == 0
            if isDefault {
                try connection.execute(
                    "UPDATE address SET is_default = 0, updated_us = ? WHERE customer_id = ? AND is_default = 1",
                    [stamp, customer]
                )
            }
            try connection.execute(
                """
                INSERT INTO address (id, customer_id, name, line1, line2, city, postal_code, country, phone, is_default, created_us, updated_us)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    id.rawValue, customer, address.name, address.line1, address.line2, address.city, address.postalCode, address.country,
                    address.phone, isDefault, stamp, stamp,
                ]
            )
            return try Self.requireAddress(AddressReference(customerId: request.customerId, addressId: id), in: connection)
        }
    }

    public func updateAddress(_ change: AddressChange) async throws -> SavedAddress {
        let address = try change.address.validated()
        let reference = AddressReference(customerId: change.customerId, addressId: change.addressId)
        let stamp = Self.microseconds(now())
        return try await database.write { connection in
            guard let existing = try Self.address(reference, in: connection) else { throw CustomersError.addressNotFound(change.addressId) }
            if change.isDefault && !existing.isDefault {
                try connection.execute(
                    "UPDATE address SET is_default = 0, updated_us = ? WHERE customer_id = ? AND is_default = 1",
                    [stamp, change.customerId.rawValue]
                )
            }
            try connection.execute(
                """
                UPDATE address SET name = ?, line1 = ?, line2 = ?, city = ?, postal_code = ?, country = ?, phone = ?, is_default = ?,
                    updated_us = ?
                WHERE id = ? AND customer_id = ?
                """,
                [
                    address.name, address.line1, address.line2, address.city, address.postalCode, address.country, address.phone,
                    change.isDefault || existing.isDefault, stamp, change.addressId.rawValue, change.customerId.rawValue,
                ]
            )
            return try Self.requireAddress(reference, in: connection)
        }
    }

    public func deleteAddress(_ reference: AddressReference) async throws -> [SavedAddress] {
        let stamp = Self.microseconds(now())
        return try await database.write { connection in
            guard let existing = try Self.address(reference, in: connection) else { throw CustomersError.addressNotFound(reference.addressId) }
            try connection.execute(
                "DELETE FROM address WHERE id = ? AND customer_id = ?",
                [reference.addressId.rawValue, reference.customerId.rawValue]
            )
            if existing.isDefault {
                // The newest remaining address takes over.
                try connection.execute(
                    """
                    UPDATE address SET is_default = 1, updated_us = ?
                    WHERE seq = (SELECT max(seq) FROM address WHERE customer_id = ?)
                    """,
                    [stamp, reference.customerId.rawValue]
                )
            }
            return try Self.addresses(of: reference.customerId, in: connection)
        }
    }

    // MARK: - Notifications and export

    public func notifications(_ query: NotificationQuery) async throws -> NotificationPage {
        guard (1...100).contains(query.limit) else { throw CustomersError.invalid("must be from 1 to 100", field: "limit") }
        var start = Int64.max
        // An empty cursor is no cursor, as a form with nothing to continue sends it.
        if let cursor = query.cursor, !cursor.isEmpty {
            guard let decoded = Self.decodeCursor(cursor) else {
                throw CustomersError.invalid("is not a cursor of this list; send the nextCursor of the previous page", field: "cursor")
            }
            start = decoded
        }
        let before = start
        let (rows, more) = try await database.read { connection in
            let rows = try connection.query(
                "SELECT * FROM notification WHERE customer_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                [query.customerId.rawValue, before, query.limit + 1]
            )
            return (Array(rows.prefix(query.limit)), rows.count > query.limit)
        }
        let items = try rows.map(Self.notification(from:))
        let last: Int64? = try rows.last.map { try $0["seq"] }
        return NotificationPage(items: items, nextCursor: more ? last.map(Self.encodeCursor) : nil)
    }

    public func customerData(_ customerId: CustomerID) async throws -> CustomerData {
        try await database.read { connection in
            CustomerData(
                profile: try Self.profile(customerId, in: connection),
                addresses: try Self.addresses(of: customerId, in: connection),
                notifications: try connection.query("SELECT * FROM notification WHERE customer_id = ? ORDER BY seq DESC", [customerId.rawValue])
                    .map(Self.notification(from:))
            )
        }
    }

    /// A page cursor: the sequence number the next page starts below, base64 so that clients treat it as opaque.
    static func encodeCursor(_ seq: Int64) -> String {
        Data("before:\(seq)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ cursor: String) -> Int64? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("before:") else { return nil }
        return Int64(text.dropFirst("before:".count))
    }

    // MARK: - Time

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
