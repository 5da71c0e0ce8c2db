/// One field of a request that a service or the gateway rejected, and why: an element of a problem's `errors`.
///
/// ```swift
/// FieldError(field: "price.currency", message: "must be an ISO 4217 code such as EUR")
/// ```
public struct FieldError: Codable, Sendable, Hashable {
    /// Where the field is: a query parameter's name, or a member of the JSON body as a dotted path
    /// (`price.currency`, `lines.2.quantity`).
    public var field: String
    /// What is wrong with it, as words that follow the field's name: `is required`, `must be an integer`.
    public var message: String

    /// Describes a wrong field.
    /// - Parameters:
    ///   - field: The field's name or dotted path.
    ///   - message: What is wrong, worded to follow the name.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
