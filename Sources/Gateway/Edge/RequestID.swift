public import HTTP
import Telemetry

/// The request id attached to an ``HTTPRequestContext`` by the gateway: the client's valid `X-Request-Id`, or
/// a generated one.
public enum RequestIDKey: HTTPContextKey {
    /// The id.
    public typealias Value = String
}

/// Validation and generation of `X-Request-Id` values.
enum RequestID {
    /// The most characters an accepted id may have.
    static let maxLength = 128

    /// `value` when it is 1 to 128 printable ASCII characters (no spaces or controls), else `nil`.
    static func accept(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maxLength, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return nil
        }
        return value
    }

    /// 32 random hex digits.
    static func generate() -> String {
        var generator = IdentifierRandom()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
