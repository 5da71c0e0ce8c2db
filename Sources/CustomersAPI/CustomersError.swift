public import Commerce
public import ServiceKit

/// What Customers answers when it cannot do what was asked.
public enum CustomersError: ServiceFailure {
    /// Customers holds no profile for the customer and Identity knows no such user (or the account was deleted).
    case profileNotFound(CustomerID)
    /// The customer has no address with this id. Also the answer when the address belongs to another customer:
    /// whether an id exists is never revealed.
    case addressNotFound(AddressID)
    /// The address book holds `limit` addresses already.
    case addressBookFull(limit: Int)
    /// An address is not valid: every field at fault, named by its member (`postalCode`).
    case invalidAddress([FieldError])
    /// A profile update is not valid: every field at fault (`displayName`, `phone`).
    case invalidProfile([FieldError])
    /// Another request is not acceptable; the text says why, worded to follow `field` when it names the member at
    /// fault (`limit`, `cursor`).
    case invalid(String, field: String? = nil)

    /// `profile-not-found`, `address-not-found`, `address-book-full` or `validation-failed`.
    public var problemType: String {
        switch self {
        case .profileNotFound: "profile-not-found"
        case .addressNotFound: "address-not-found"
        case .addressBookFull: "address-book-full"
        case .invalidAddress, .invalidProfile, .invalid: "validation-failed"
        }
    }

    /// A sentence saying what went wrong.
    public var detail: String {
        switch self {
        case .profileNotFound(let id): "No customer has the id \(id.rawValue)."
        case .addressNotFound(let id): "Your address book has no address with the id \(id.rawValue)."
        case .addressBookFull(let limit): "Your address book is full: it holds \(limit) addresses, the most it can; delete one to add another."
        case .invalidAddress(let errors): "The address is not valid\(Self.list(errors))."
        case .invalidProfile(let errors): "The profile is not valid\(Self.list(errors))."
        case .invalid(let reason, let field?): "The field \(field) \(reason)."
        case .invalid(let reason, nil): "The request is not valid: \(reason)."
        }
    }

    /// Every field at fault, for the validation failures.
    public var fieldErrors: [FieldError] {
        switch self {
        case .invalidAddress(let errors), .invalidProfile(let errors): errors
        case .invalid(let reason, let field?): [FieldError(field: field, message: reason)]
        default: []
        }
    }

    /// `: name is required; postalCode must be …`, or nothing for no errors.
    private static func list(_ errors: [FieldError]) -> String {
        errors.isEmpty ? "" : ": " + errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
    }
}
