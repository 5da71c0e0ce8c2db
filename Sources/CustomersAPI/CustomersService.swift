public import Commerce
public import ServiceKit

/// Customers' profiles, address books and notifications.
///
/// A profile is created when Identity reports a registration (or at the first call about a customer whose
/// registration has not arrived yet), and its membership follows Payments' subscription events. Every operation is
/// scoped to one customer: another customer's address is ``CustomersError/addressNotFound(_:)``, as a missing one is.
/// Notifications (transactional always, marketing only to customers who opted in) go to the customer's feed and
/// to the mail spool.
public protocol CustomersService: Sendable {
    /// The customer's profile, created from Identity's account when it does not exist yet.
    /// - Throws: ``CustomersError/profileNotFound(_:)`` when Identity knows no such user (or it was deleted).
    func profile(_ customerId: CustomerID) async throws -> CustomerProfile
    /// Replaces the customer's display name, phone and marketing choice.
    /// - Throws: ``CustomersError/invalidProfile(_:)`` listing every field at fault,
    ///   ``CustomersError/profileNotFound(_:)``.
    func updateProfile(_ update: ProfileUpdate) async throws -> CustomerProfile
    /// The customer's address book: the default first, then newest first.
    func addresses(_ customerId: CustomerID) async throws -> [SavedAddress]
    /// One of the customer's addresses.
    /// - Throws: ``CustomersError/addressNotFound(_:)``, also for another customer's address.
    func address(_ reference: AddressReference) async throws -> SavedAddress
    /// Adds an address; the first of a book becomes the default, as does one added with `isDefault`.
    /// - Throws: ``CustomersError/invalidAddress(_:)`` listing every field at fault,
    ///   ``CustomersError/addressBookFull(limit:)`` at 20 addresses, ``CustomersError/profileNotFound(_:)``.
    func addAddress(_ request: NewAddress) async throws -> SavedAddress
    /// Replaces one of the customer's addresses, and makes it the default when asked.
    /// - Throws: ``CustomersError/invalidAddress(_:)``, ``CustomersError/addressNotFound(_:)`` (also for another
    ///   customer's address).
    func updateAddress(_ change: AddressChange) async throws -> SavedAddress
    /// Deletes one of the customer's addresses and returns the rest of the book. When the default goes, the newest
    /// remaining address becomes the default.
    /// - Throws: ``CustomersError/addressNotFound(_:)``: for another customer's address, and for one deleted
    ///   already (so deleting again changes nothing).
    func deleteAddress(_ reference: AddressReference) async throws -> [SavedAddress]
    /// The customer's notifications, newest first, a page at a time.
    /// - Throws: ``CustomersError/invalid(_:field:)`` for a limit outside 1 to 100 or a cursor this service did not
    ///   give.
    func notifications(_ query: NotificationQuery) async throws -> NotificationPage
    /// Everything Customers holds about the customer, for their data export; nothing is created.
    func customerData(_ customerId: CustomerID) async throws -> CustomerData
}

/// Customers' endpoints. Those that may create a profile have room for the call to Identity and its retries.
public enum CustomersEndpoints {
    /// ``CustomersService/profile(_:)``.
    public static let profile = Endpoint<CustomerID, CustomerProfile>(
        "customers.profile",
        idempotent: true,
        timeout: .seconds(5),
        failure: CustomersError.self
    )
    /// ``CustomersService/updateProfile(_:)``: a full replacement, so idempotent.
    public static let updateProfile = Endpoint<ProfileUpdate, CustomerProfile>(
        "customers.update-profile",
        idempotent: true,
        timeout: .seconds(5),
        failure: CustomersError.self
    )
    /// ``CustomersService/addresses(_:)``.
    public static let addresses = Endpoint<CustomerID, [SavedAddress]>("customers.addresses", idempotent: true, failure: CustomersError.self)
    /// ``CustomersService/address(_:)``.
    public static let address = Endpoint<AddressReference, SavedAddress>("customers.address", idempotent: true, failure: CustomersError.self)
    /// ``CustomersService/addAddress(_:)``: not idempotent (each call adds one), so never retried by the pipeline.
    public static let addAddress = Endpoint<NewAddress, SavedAddress>("customers.add-address", timeout: .seconds(5), failure: CustomersError.self)
    /// ``CustomersService/updateAddress(_:)``: a full replacement, so idempotent.
    public static let updateAddress = Endpoint<AddressChange, SavedAddress>(
        "customers.update-address",
        idempotent: true,
        failure: CustomersError.self
    )
    /// ``CustomersService/deleteAddress(_:)``: idempotent in effect (a repeat finds nothing to delete).
    public static let deleteAddress = Endpoint<AddressReference, [SavedAddress]>(
        "customers.delete-address",
        idempotent: true,
        failure: CustomersError.self
    )
    /// ``CustomersService/notifications(_:)``.
    public static let notifications = Endpoint<NotificationQuery, NotificationPage>(
        "customers.notifications",
        idempotent: true,
        failure: CustomersError.self
    )
    /// ``CustomersService/customerData(_:)``.
    public static let customerData = Endpoint<CustomerID, CustomerData>("customers.customer-data", idempotent: true, failure: CustomersError.self)
}

/// Customers as other modules and the gateway reach it: every method is a call through the pipeline.
public struct CustomersClient: CustomersService {
    private let client: ServiceClient

    /// A client making its calls through `client`.
    public init(client: ServiceClient) { self.client = client }

    public func profile(_ customerId: CustomerID) async throws -> CustomerProfile { try await client.call(CustomersEndpoints.profile, customerId) }
    public func updateProfile(_ update: ProfileUpdate) async throws -> CustomerProfile {
        try await client.call(CustomersEndpoints.updateProfile, update)
    }
    public func addresses(_ customerId: CustomerID) async throws -> [SavedAddress] { try await client.call(CustomersEndpoints.addresses, customerId) }
    public func address(_ reference: AddressReference) async throws -> SavedAddress { try await client.call(CustomersEndpoints.address, reference) }
    public func addAddress(_ request: NewAddress) async throws -> SavedAddress { try await client.call(CustomersEndpoints.addAddress, request) }
    public func updateAddress(_ change: AddressChange) async throws -> SavedAddress {
        try await client.call(CustomersEndpoints.updateAddress, change)
    }
    public func deleteAddress(_ reference: AddressReference) async throws -> [SavedAddress] {
        try await client.call(CustomersEndpoints.deleteAddress, reference)
    }
    public func notifications(_ query: NotificationQuery) async throws -> NotificationPage {
        try await client.call(CustomersEndpoints.notifications, query)
    }
    public func customerData(_ customerId: CustomerID) async throws -> CustomerData {
        try await client.call(CustomersEndpoints.customerData, customerId)
    }
}

extension EndpointHandlers {
    /// Registers every customers endpoint to be answered by `service`.
    public mutating func registerCustomers(_ service: some CustomersService) {
        register(CustomersEndpoints.profile) { try await service.profile($0) }
        register(CustomersEndpoints.updateProfile) { try await service.updateProfile($0) }
        register(CustomersEndpoints.addresses) { try await service.addresses($0) }
        register(CustomersEndpoints.address) { try await service.address($0) }
        register(CustomersEndpoints.addAddress) { try await service.addAddress($0) }
        register(CustomersEndpoints.updateAddress) { try await service.updateAddress($0) }
        register(CustomersEndpoints.deleteAddress) { try await service.deleteAddress($0) }
        register(CustomersEndpoints.notifications) { try await service.notifications($0) }
        register(CustomersEndpoints.customerData) { try await service.customerData($0) }
    }
}
