import Commerce
import CustomersAPI
import Foundation
import ServiceKit
import Storage

/// Reading Customers' rows back as its API's values.
extension SQLiteCustomersService {
    /// A customer's profile with their membership, or `nil`.
    static func profile(_ customerId: CustomerID, in connection: Connection) throws -> CustomerProfile? {
        guard
            let row = try connection.queryFirst(
                """
                SELECT p.*, m.status AS membership_status, m.plan AS membership_plan, m.since_us AS membership_since_us
                FROM profile AS p LEFT JOIN membership AS m ON m.customer_id = p.customer_id
                WHERE p.customer_id = ?
                """,
                [customerId.rawValue]
            )
        else { return nil }
        let status: String? = try row["membership_status"]
        let membership = Membership(
            status: status.flatMap(MembershipStatus.init(rawValue:)) ?? .none,
            plan: try row["membership_plan"],
            since: (try row["membership_since_us"] as Int64?).map(date(microseconds:))
        )
        return CustomerProfile(
            customerId: customerId,
            email: try row["email"],
            displayName: try row["display_name"],
            phone: try row["phone"],
            marketingOptIn: try row["marketing_opt_in"],
            membership: membership,
            createdAt: date(microseconds: try row["created_us"]),
            updatedAt: date(microseconds: try row["updated_us"])
        )
    }

    /// Whether the customer's data was erased.
    static func isErased(_ customerId: CustomerID, in connection: Connection) throws -> Bool {
        try connection.queryFirst("SELECT 1 FROM erased_customer WHERE customer_id = ?", [customerId.rawValue]) != nil
    }

    /// A customer's address book: the default first, then newest first.
    static func addresses(of customerId: CustomerID, in connection: Connection) throws -> [SavedAddress] {
        try connection.fetchAll(
            AddressRow.self,
            "SELECT * FROM address WHERE customer_id = ? ORDER BY is_default DESC, seq DESC",
            [customerId.rawValue]
        ).map(\.saved)
    }

    /// One of a customer's addresses, or `nil`: also when the id is another customer's.
    static func address(_ reference: AddressReference, in connection: Connection) throws -> SavedAddress? {
        try connection.fetchOne(
            AddressRow.self,
            "SELECT * FROM address WHERE id = ? AND customer_id = ?",
            [reference.addressId.rawValue, reference.customerId.rawValue]
        )?.saved
    }

    /// One of a customer's addresses that must exist (it was just written in this transaction).
    static func requireAddress(_ reference: AddressReference, in connection: Connection) throws -> SavedAddress {
        guard let found = try address(reference, in: connection) else { throw CustomersError.addressNotFound(reference.addressId) }
        return found
    }

    /// A `notification` row.
    static func notification(from row: Row) throws -> CustomersAPI.Notification {
        let category: String = try row["category"]
        guard let decoded = NotificationCategory(rawValue: category) else {
            throw UnknownValue(row: "notification \(try row["id"] as String)", column: "category", value: category)
        }
        return CustomersAPI.Notification(
            id: NotificationID(rawValue: try row["id"]),
            customerId: CustomerID(rawValue: try row["customer_id"]),
            category: decoded,
            topic: try row["topic"],
            subject: try row["subject"],
            body: try row["body"],
            createdAt: date(microseconds: try row["created_us"])
        )
    }
}

/// An `address` row.
struct AddressRow: RowDecodable {
    let saved: SavedAddress

    init(row: Row) throws {
        saved = SavedAddress(
            id: AddressID(rawValue: try row["id"]),
            address: Address(
                name: try row["name"],
                line1: try row["line1"],
                line2: try row["line2"],
                city: try row["city"],
                postalCode: try row["postal_code"],
                country: try row["country"],
                phone: try row["phone"]
            ),
            isDefault: try row["is_default"],
            createdAt: SQLiteCustomersService.date(microseconds: try row["created_us"]),
            updatedAt: SQLiteCustomersService.date(microseconds: try row["updated_us"])
        )
    }
}

/// A value this build does not know in a row: written by a newer build, or damaged.
struct UnknownValue: Error, CustomStringConvertible {
    /// The row, such as `notification ntf_1`.
    let row: String
    /// The column.
    let column: String
    /// The value found.
    let value: String
    var description: String { "\(row) has the unknown \(column) '\(value)'" }
}

/// Random identifiers with a prefix: `adr_` and 20 characters of Crockford's base 32 (100 bits) from the system's
/// generator, which is cryptographically secure, so ids cannot be guessed from one another.
enum RandomID {
    static func make(prefix: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] })
    }
}
