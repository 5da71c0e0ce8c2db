/// Everything Customers holds about one customer, for their data export.
public struct CustomerData: Codable, Sendable, Hashable {
    /// Their profile, `nil` when Customers holds none (never created, or erased).
    public var profile: CustomerProfile?
    /// Their address book, the default first, then newest first.
    public var addresses: [SavedAddress]
    /// Their notifications, newest first.
    public var notifications: [Notification]

    /// Creates the value.
    public init(profile: CustomerProfile?, addresses: [SavedAddress], notifications: [Notification]) {
        self.profile = profile
        self.addresses = addresses
        self.notifications = notifications
    }
}
