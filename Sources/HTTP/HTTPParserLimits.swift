/// Every size limit of ``HTTPRequestParser`` in one value, with the status each one answers.
///
/// The defaults follow common servers: an 8 KiB request line, a 16 KiB header section of at most 100 fields and a
/// 1 MiB body. A request over a limit is rejected as soon as the excess is seen, before it is buffered.
///
/// ```swift
/// var limits = HTTPParserLimits.default
/// limits.maxBodySize = 8 << 20  // uploads up to 8 MiB
/// var parser = HTTPRequestParser(limits: limits)
/// ```
public struct HTTPParserLimits: Hashable, Sendable {
    /// The longest request line, in bytes without its CRLF; longer answers 414 URI Too Long.
    public var maxRequestLineLength: Int
    /// The largest header section, in bytes of every field line with its CRLF plus the empty line's CRLF; larger
    /// answers 431 Request Header Fields Too Large. The trailer section of a chunked body has the same limit.
    public var maxHeaderSectionSize: Int
    /// The most header fields; more answer 431 Request Header Fields Too Large. Trailer fields count separately.
    public var maxHeaderCount: Int
    /// The largest body, in bytes of content (chunk framing excluded); larger answers 413 Content Too Large, before
    /// any body byte is read when `Content-Length` or a chunk size announces it.
    public var maxBodySize: Int
    /// The longest chunk-size line (size and chunk extensions) without its CRLF; longer answers 400 Bad Request.
    public var maxChunkLineLength: Int

    /// Creates limits; every argument defaults to the value of ``default``.
    /// - Parameters:
    ///   - maxRequestLineLength: The longest request line, 8 KiB by default.
    ///   - maxHeaderSectionSize: The largest header section, 16 KiB by default.
    ///   - maxHeaderCount: The most header fields, 100 by default.
    ///   - maxBodySize: The largest body, 1 MiB by default.
    ///   - maxChunkLineLength: The longest chunk-size line, 4 KiB by default.
    public init(
        maxRequestLineLength: Int = 8 * 1024,
        maxHeaderSectionSize: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodySize: Int = 1024 * 1024,
        maxChunkLineLength: Int = 4 * 1024
    ) {
        precondition(maxRequestLineLength > 0 && maxHeaderSectionSize > 0 && maxHeaderCount >= 0, "limits must be positive")
        precondition(maxBodySize >= 0 && maxChunkLineLength > 0, "limits must be positive")
        self.maxRequestLineLength = maxRequestLineLength
        self.maxHeaderSectionSize = maxHeaderSectionSize
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
        self.maxChunkLineLength = maxChunkLineLength
    }

    /// 8 KiB request line, 16 KiB and 100 header fields, 1 MiB body, 4 KiB chunk-size line.
    public static let `default` = HTTPParserLimits()
}
