/// The address of a connection's peer: a numeric IPv4 or IPv6 host and a port.
public struct HTTPSocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The numeric host, `127.0.0.1` or `::1`.
    public var host: String
    /// The port.
    public var port: Int

    /// Creates an address.
    /// - Parameters:
    ///   - host: A numeric IPv4 or IPv6 host.
    ///   - port: The port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
