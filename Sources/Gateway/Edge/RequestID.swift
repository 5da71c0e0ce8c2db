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
        // 32 lower-case hex digits written straight into the string's storage: one allocation.
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<16 {
                let shift = UInt64(60 - 4 * index)
                buffer[index] = digits.utf8Start[Int((high >> shift) & 0xF)]
                buffer[16 + index] = digits.utf8Start[Int((low >> shift) & 0xF)]
            }
            return 32
        }
    }
}
