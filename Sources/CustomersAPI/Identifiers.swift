public import ServiceKit

/// Tags ``AddressID``.
public enum AddressTag {}
/// A saved address's identifier, such as `adr_3kq8…`: Customers assigns it when the address is added.
public typealias AddressID = Identifier<AddressTag>

/// Tags ``NotificationID``.
public enum NotificationTag {}
/// A notification's identifier, such as `ntf_9xw2…`; its mail's `Message-ID` is `<id@emporium.local>`.
public typealias NotificationID = Identifier<NotificationTag>
