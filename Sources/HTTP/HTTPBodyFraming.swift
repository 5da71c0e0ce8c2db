/// How the end of a message body is found (RFC 9112 §6): the one place framing is decided, for requests the parser
/// reads and responses the serializer writes.
public enum HTTPBodyFraming: Hashable, Sendable {
    /// No body: neither `Content-Length` nor `Transfer-Encoding` is present (or, for a response, should be written).
    case noBody
    /// A body of exactly this many bytes, announced by `Content-Length`.
    case contentLength(Int)
    /// A body in the chunked transfer coding, ended by a zero-size chunk and optional trailer fields.
    case chunked
}
