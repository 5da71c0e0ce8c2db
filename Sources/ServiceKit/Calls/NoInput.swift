/// The request of an endpoint that takes nothing, such as a listing without filters.
public struct NoInput: Codable, Sendable, Hashable {
    /// The empty request.
    public init() {}
}
