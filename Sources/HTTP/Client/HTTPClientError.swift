/// Why a client operation failed.
public struct HTTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case timedOut
        case connectionClosed
        case invalidResponse(String)
        case connectFailed(SocketError)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The operation did not finish before its timeout.
    public static let timedOut = HTTPClientError(.timedOut)
    /// The server closed the connection (or reset it) before the response was complete.
    public static let connectionClosed = HTTPClientError(.connectionClosed)

    /// The bytes received are not an HTTP/1.1 response.
    /// - Parameter reason: What was wrong.
    public static func invalidResponse(_ reason: String) -> HTTPClientError {
        HTTPClientError(.invalidResponse(reason))
    }

    /// The connection could not be established.
    /// - Parameter error: The failing system call.
    public static func connectFailed(_ error: SocketError) -> HTTPClientError {
        HTTPClientError(.connectFailed(error))
    }

    /// What went wrong.
    public var description: String {
        switch code {
        case .timedOut: "timed out"
        case .connectionClosed: "the connection closed before the response was complete"
        case .invalidResponse(let reason): "invalid response: \(reason)"
        case .connectFailed(let error): "connect failed: \(error)"
        }
    }
}
