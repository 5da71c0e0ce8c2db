/// A typed event payload: a past-tense fact with a versioned type name.
///
/// ```swift
/// public struct ProductUpdated: DomainEvent {
///     public static let eventType = "catalog.product-updated.v1"
///     public let productID: String
///     public let priceMinorUnits: Int64
/// }
/// ```
public protocol DomainEvent: Codable, Sendable {
    /// The event type, which is also the topic it is published on: `service.thing-happened.vN`.
    static var eventType: String { get }
}
