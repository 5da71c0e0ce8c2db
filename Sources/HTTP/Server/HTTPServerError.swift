/// A failure of the server while answering a request, seen by code that writes a streaming body.
public struct HTTPServerError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case connectionClosed
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The connection closed (the peer went away, a timeout, or the shutdown deadline) before the body was written.
    public static let connectionClosed = HTTPServerError(.connectionClosed)

    /// What went wrong.
    public var description: String {
        switch code {
        case .connectionClosed: "the connection closed before the response was written"
        }
    }
}
