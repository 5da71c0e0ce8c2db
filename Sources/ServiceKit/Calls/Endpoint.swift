/// A typed failure a service's API declares: its error enum, which must survive a wire.
///
/// ```swift
/// public enum CatalogError: ServiceFailure { case productNotFound(ProductID), invalidPrice(String) }
/// ```
public protocol ServiceFailure: Error, Codable, Sendable, Equatable {
    /// How long the caller should wait before trying again, when the failure is temporary (too many attempts,
    /// say); the gateway sends it as `Retry-After`. `nil` by default.
    var retryAfter: Duration? { get }
}

extension ServiceFailure {
    public var retryAfter: Duration? { nil }
}

/// One operation of a service's API: its name, whether it may be retried, its default timeout, and the typed
/// failure its handler throws.
///
/// A capability's `…API` target declares its endpoints in a table:
///
/// ```swift
/// public enum CatalogEndpoints {
///     public static let product = Endpoint<ProductID, Product>("catalog.product", idempotent: true, failure: CatalogError.self)
/// }
/// ```
public struct Endpoint<Request: Codable & Sendable, Response: Codable & Sendable>: Sendable, CustomStringConvertible {
    /// `service.verb-noun`, such as `inventory.reserve`.
    public let name: String
    /// The service part of the name, used for discovery.
    public let service: String
    /// Whether calling twice is harmless; only idempotent endpoints are retried.
    public let isIdempotent: Bool
    /// How long a call may take before it fails with a timeout.
    public let timeout: Duration
    /// The error type the handler throws, so a serialized reply decodes back to it.
    public let failure: any ServiceFailure.Type

    /// Declares an endpoint.
    /// - Precondition: `name` has the form `service.operation`.
    public init(_ name: String, idempotent: Bool = false, timeout: Duration = .seconds(2), failure: any ServiceFailure.Type) {
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else {
            preconditionFailure("endpoint name '\(name)' must look like service.operation")
        }
        self.name = name
        self.service = String(name[..<dot])
        self.isIdempotent = idempotent
        self.timeout = timeout
        self.failure = failure
    }

    /// The endpoint's name.
    public var description: String { name }
}
