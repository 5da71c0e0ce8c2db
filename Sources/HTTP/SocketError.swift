#if canImport(Glibc)
import Glibc
#endif

/// A system call on a socket or the event loop failed: which call, and the `errno` it left.
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The failing call, for example `bind` or `connect`.
    public let operation: String
    /// The `errno` value the call left.
    public let code: Int32

    /// Creates an error for `operation` with an explicit `errno` value.
    /// - Parameters:
    ///   - operation: The failing call.
    ///   - code: The `errno` value.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// Creates an error for `operation` from the current `errno`.
    init(operation: String) {
        self.init(operation: operation, code: errno)
    }

    /// The call and the system's message for the code, for example `bind: Address already in use (98)`.
    public var description: String {
        "\(operation): \(String(cString: strerror(code))) (\(code))"
    }
}
