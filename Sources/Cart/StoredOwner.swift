import CartAPI
import Commerce
import Security
import ServiceKit

/// A cart's owner as the database keeps it: the customer's id, or the SHA-256 of the guest's token in hex. The token
/// itself is never stored, so a copy of the file does not open anyone's cart.
enum StoredOwner: Hashable, Sendable {
    /// A signed-in customer's cart.
    case customer(String)
    /// A guest's cart, by the SHA-256 of the token (64 hex digits).
    case guest(hash: String)

    /// The longest guest token taken, in bytes: the edge's tokens are far shorter, and the bound keeps hashing cheap.
    static let maximumTokenLength = 512

    /// The owner of `owner`'s cart.
    /// - Throws: ``CartAPI/CartError/invalid(_:field:)`` unless exactly one of customer and token is given, and it is
    ///   not empty.
    init(_ owner: CartOwner) throws(CartError) {
        switch (owner.customerId, owner.guestToken) {
        case (let customer?, nil): self = try Self.customer(customer, field: "owner.customerId")
        case (nil, let token?): self = try Self.guest(token, field: "owner.guestToken")
        default: throw CartError.invalid("a cart belongs either to a customer or to a guest token", field: "owner")
        }
    }

    /// A customer's cart.
    /// - Throws: ``CartAPI/CartError/invalid(_:field:)`` for an empty id, naming `field`.
    static func customer(_ id: CustomerID, field: String) throws(CartError) -> StoredOwner {
        guard !id.rawValue.isEmpty else { throw CartError.invalid("the customer id is empty", field: field) }
        return .customer(id.rawValue)
    }

    /// A guest's cart.
    /// - Throws: ``CartAPI/CartError/invalid(_:field:)`` for an empty or overlong token, naming `field`.
    static func guest(_ token: String, field: String) throws(CartError) -> StoredOwner {
        guard (1...maximumTokenLength).contains(token.utf8.count) else {
            throw CartError.invalid("the guest token must be 1 to \(maximumTokenLength) bytes long", field: field)
        }
        return .guest(hash: hash(token))
    }

    /// The SHA-256 of `token`'s UTF-8 bytes, in lower-case hex.
    static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(2 * SHA256.digestByteCount)
        for byte in SHA256.hash(Array(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The customer, for a customer's cart.
    var customerId: CustomerID? {
        if case .customer(let id) = self { return CustomerID(rawValue: id) }
        return nil
    }
}

/// Random identifiers with a prefix: `cart_` and 20 characters of Crockford's base 32 (100 bits) from the system's
/// generator, which is cryptographically secure, so one cart's id says nothing about another's.
enum RandomID {
    static func make(prefix: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] })
    }
}
