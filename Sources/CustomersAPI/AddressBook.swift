public import Commerce
public import Foundation

/// An address in a customer's address book.
public struct SavedAddress: Codable, Sendable, Hashable {
    /// Its identifier.
    public var id: AddressID
    /// The address, validated and normalised.
    public var address: Address
    /// Whether it is the customer's default: a book that holds addresses has exactly one.
    public var isDefault: Bool
    /// When it was added.
    public var createdAt: Date
    /// When it last changed (becoming or ceasing to be the default included).
    public var updatedAt: Date

    /// Creates the value.
    public init(id: AddressID, address: Address, isDefault: Bool, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.address = address
        self.isDefault = isDefault
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Add an address to a customer's book.
public struct NewAddress: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The address; it is validated (``Address/validated()``) and stored normalised.
    public var address: Address
    /// Whether it becomes the default. The first address of a book always does.
    public var isDefault: Bool

    /// Creates the request.
    public init(customerId: CustomerID, address: Address, isDefault: Bool = false) {
        self.customerId = customerId
        self.address = address
        self.isDefault = isDefault
    }
}

/// Replace one of a customer's addresses.
public struct AddressChange: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The address to change.
    public var addressId: AddressID
    /// Its new content, validated and stored normalised.
    public var address: Address
    /// `true` makes it the default (the old default stops being one). `false` on the current default leaves it the
    /// default: a book always has one, so the way to move it is to make another address the default.
    public var isDefault: Bool

    /// Creates the request.
    public init(customerId: CustomerID, addressId: AddressID, address: Address, isDefault: Bool) {
        self.customerId = customerId
        self.addressId = addressId
        self.address = address
        self.isDefault = isDefault
    }
}

/// One address of one customer's book.
public struct AddressReference: Codable, Sendable, Hashable {
    /// The customer.
    public var customerId: CustomerID
    /// The address.
    public var addressId: AddressID

    /// Creates the value.
    public init(customerId: CustomerID, addressId: AddressID) {
        self.customerId = customerId
        self.addressId = addressId
    }
}
