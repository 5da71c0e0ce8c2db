/// What ``HTTPRequestParser/next()`` found in the bytes fed so far.
///
/// A request is `head`, zero or more `body` events, then `end`; the next pipelined request follows. `error` ends
/// the stream: the parser reports nothing more.
public enum HTTPParserEvent: Hashable, Sendable {
    /// The request line and header section of a request, validated and framed.
    case head(HTTPRequestHead)
    /// Body content in arrival order, with chunk framing removed. How the body is split into events depends on how
    /// bytes arrived; only the concatenation is meaningful.
    ///
    /// The slice shares storage with the parser's buffer: copy it (`Array(bytes)` or `append(contentsOf:)`) rather
    /// than keeping it across the next `feed`, which would then have to copy the buffer.
    case body(ArraySlice<UInt8>)
    /// The end of the request, with the trailer fields of a chunked body if it had any.
    case end(trailers: HTTPHeaders?)
    /// The request is invalid: answer `error.status`, then close the connection if `error.closesConnection`.
    case error(HTTPParserError)
}
