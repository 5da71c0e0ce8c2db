public import Telemetry

/// What a handler knows about a request besides the request itself: the connection it came on, a logger, and
/// values that middleware attached for the handlers after it.
///
/// ```swift
/// enum UserKey: HTTPContextKey { typealias Value = String }
/// // in a middleware:
/// var context = context
/// context[UserKey.self] = subject
/// return try await next(request, context)
/// // in a handler:
/// let user = context[UserKey.self]
/// ```
public struct HTTPRequestContext: Sendable {
    /// The peer's address.
    public var remoteAddress: HTTPSocketAddress?
    /// A number unique to the connection within this process, for correlating log lines.
    public var connectionID: UInt64
    /// The logger of the server.
    public var logger: Logger
    /// How long the request waited in the server before its handler was called, the longer of two measures: from
    /// the moment the kernel received its last bytes (the socket's receive timestamp) to the handler, which counts
    /// the time in the socket's buffer while the loop was busy and while the loop's thread waited for a core; and the
    /// loop's estimate, the round before the one that read it and that round's work before it, which counts what
    /// the stamp misses. Near zero while the server keeps up; what a client waits for a busy one, and so the signal
    /// to shed on (see the gateway's admission).
    public var queueDelay: Duration = .zero
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Creates a context.
    /// - Parameters:
    ///   - remoteAddress: The peer's address.
    ///   - connectionID: The connection's number.
    ///   - logger: The logger handlers use.
    public init(remoteAddress: HTTPSocketAddress? = nil, connectionID: UInt64 = 0, logger: Logger) {
        self.remoteAddress = remoteAddress
        self.connectionID = connectionID
        self.logger = logger
    }

    /// The value attached under `key`, or `nil`.
    /// - Parameter key: The key type.
    public subscript<Key: HTTPContextKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// A key for a value attached to an ``HTTPRequestContext``: declare a type per kind of value.
public protocol HTTPContextKey {
    /// The type of the value stored under this key.
    associatedtype Value: Sendable
}
