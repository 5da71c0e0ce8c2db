/// A typed failure a service's API declares: its error enum, which must survive a wire.
///
/// Besides being `Codable`, a failure says what it is to the people and programs at the edge: the gateway answers
/// it as an RFC 9457 problem whose `type` is `urn:emporium:problem:<problemType>`, whose `detail` is ``detail``
/// and whose `errors` are ``fieldErrors``. None of them may show Swift type or case names.
///
/// ```swift
/// public enum CatalogError: ServiceFailure {
///     case productNotFound(ProductID)
///
///     public var problemType: String { "product-not-found" }
///     public var detail: String {
///         switch self {
///         case .productNotFound(let id): "No product has the id \(id.rawValue)."
///         }
///     }
/// }
/// ```
public protocol ServiceFailure: Error, Codable, Sendable, Equatable {
    /// The kind of failure as a slug of lower-case words joined by hyphens, such as `product-not-found`: stable, for
    /// programs to tell failures apart. The gateway's problem `type` is `urn:emporium:problem:<problemType>`.
    var problemType: String { get }
    /// What went wrong this time, as a sentence a person reads (the problem's `detail`).
    var detail: String { get }
    /// For a validation failure, each field of the request that is wrong and why (the problem's `errors`); none
    /// by default.
    var fieldErrors: [FieldError] { get }
    /// How long the caller should wait before trying again, when the failure is temporary (too many attempts,
    /// say); the gateway sends it as `Retry-After`. `nil` by default.
    var retryAfter: Duration? { get }
}

extension ServiceFailure {
    public var fieldErrors: [FieldError] { [] }
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
