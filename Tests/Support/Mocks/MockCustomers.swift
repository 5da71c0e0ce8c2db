public import Commerce
public import CustomersAPI
public import ServiceKit

/// Customers' API answered by closures; each method the test does not set records a test issue when called.
public struct MockCustomers: CustomersService {
    public var onProfile: @Sendable (CustomerID) async throws -> CustomerProfile = unexpected("CustomersService.profile")
    public var onUpdateProfile: @Sendable (ProfileUpdate) async throws -> CustomerProfile = unexpected("CustomersService.updateProfile")
    public var onAddresses: @Sendable (CustomerID) async throws -> [SavedAddress] = unexpected("CustomersService.addresses")
    public var onAddress: @Sendable (AddressReference) async throws -> SavedAddress = unexpected("CustomersService.address")
    public var onAddAddress: @Sendable (NewAddress) async throws -> SavedAddress = unexpected("CustomersService.addAddress")
    public var onUpdateAddress: @Sendable (AddressChange) async throws -> SavedAddress = unexpected("CustomersService.updateAddress")
    public var onDeleteAddress: @Sendable (AddressReference) async throws -> [SavedAddress] = unexpected("CustomersService.deleteAddress")
    public var onNotifications: @Sendable (NotificationQuery) async throws -> NotificationPage = unexpected("CustomersService.notifications")
    public var onCustomerData: @Sendable (CustomerID) async throws -> CustomerData = unexpected("CustomersService.customerData")

    /// Customers expecting no calls.
    public init() {}

    public func profile(_ customerId: CustomerID) async throws -> CustomerProfile { try await onProfile(customerId) }
    public func updateProfile(_ update: ProfileUpdate) async throws -> CustomerProfile { try await onUpdateProfile(update) }
    public func addresses(_ customerId: CustomerID) async throws -> [SavedAddress] { try await onAddresses(customerId) }
    public func address(_ reference: AddressReference) async throws -> SavedAddress { try await onAddress(reference) }
    public func addAddress(_ request: NewAddress) async throws -> SavedAddress { try await onAddAddress(request) }
    public func updateAddress(_ change: AddressChange) async throws -> SavedAddress { try await onUpdateAddress(change) }
    public func deleteAddress(_ reference: AddressReference) async throws -> [SavedAddress] { try await onDeleteAddress(reference) }
    public func notifications(_ query: NotificationQuery) async throws -> NotificationPage { try await onNotifications(query) }
    public func customerData(_ customerId: CustomerID) async throws -> CustomerData { try await onCustomerData(customerId) }

    /// The mock as the `customers` service, for ``ModuleHarness``.
    public var service: MockService {
        var handlers = EndpointHandlers()
        handlers.registerCustomers(self)
        return MockService(name: "customers", handlers: handlers)
    }
}
