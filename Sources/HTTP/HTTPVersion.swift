/// An HTTP protocol version, `HTTP/major.minor`.
public struct HTTPVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The major version: 1 for every request this parser accepts.
    public var major: Int
    /// The minor version.
    public var minor: Int

    /// Creates a version.
    /// - Parameters:
    ///   - major: The major version number.
    ///   - minor: The minor version number.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0: connections close after each exchange unless `Connection: keep-alive` is sent.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1: persistent connections by default, `Host` required.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// The version as it appears on the wire, for example `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }

    /// Orders versions by major, then minor number.
    public static func < (lhs: HTTPVersion, rhs: HTTPVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}
