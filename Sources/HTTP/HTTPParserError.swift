/// Why the parser rejected a request, with the status to answer and whether the connection must close.
///
/// Compare with the static members to tell causes apart: `error == .duplicateContentLength`. Every error the
/// parser reports today closes the connection: once a head is rejected the byte stream cannot be trusted to show
/// where the next request starts, which is exactly how request smuggling works.
public struct HTTPParserError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case requestLineTooLong
        case headerSectionTooLarge
        case tooManyHeaderFields
        case contentTooLarge
        case invalidRequestLine
        case invalidMethod
        case invalidRequestTarget
        case invalidVersion
        case unsupportedVersion
        case bareLineFeed
        case bareCarriageReturn
        case obsoleteLineFolding
        case whitespaceBeforeColon
        case invalidFieldName
        case missingColon
        case invalidFieldValue
        case missingHost
        case duplicateHost
        case invalidHost
        case invalidContentLength
        case duplicateContentLength
        case contentLengthWithTransferEncoding
        case transferEncodingInHTTP10
        case invalidTransferEncoding
        case chunkedNotFinal
        case unsupportedTransferEncoding
        case invalidChunkSize
        case invalidChunkExtension
        case chunkLineTooLong
        case missingChunkTerminator
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The status to answer with: 400, 413, 414, 431, 501 or 505.
    public var status: HTTPStatus {
        switch code {
        case .requestLineTooLong: .uriTooLong
        case .headerSectionTooLarge: .requestHeaderFieldsTooLarge
        case .tooManyHeaderFields: .requestHeaderFieldsTooLarge
        case .contentTooLarge: .contentTooLarge
        case .invalidRequestLine: .badRequest
        case .invalidMethod: .badRequest
        case .invalidRequestTarget: .badRequest
        case .invalidVersion: .badRequest
        case .unsupportedVersion: .httpVersionNotSupported
        case .bareLineFeed: .badRequest
        case .bareCarriageReturn: .badRequest
        case .obsoleteLineFolding: .badRequest
        case .whitespaceBeforeColon: .badRequest
        case .invalidFieldName: .badRequest
        case .missingColon: .badRequest
        case .invalidFieldValue: .badRequest
        case .missingHost: .badRequest
        case .duplicateHost: .badRequest
        case .invalidHost: .badRequest
        case .invalidContentLength: .badRequest
        case .duplicateContentLength: .badRequest
        case .contentLengthWithTransferEncoding: .badRequest
        case .transferEncodingInHTTP10: .badRequest
        case .invalidTransferEncoding: .badRequest
        case .chunkedNotFinal: .badRequest
        case .unsupportedTransferEncoding: .notImplemented
        case .invalidChunkSize: .badRequest
        case .invalidChunkExtension: .badRequest
        case .chunkLineTooLong: .badRequest
        case .missingChunkTerminator: .badRequest
        }
    }

    /// Whether the server must close the connection after answering; `true` for every error the parser reports.
    public var closesConnection: Bool { true }

    /// A short English explanation, suitable for a log line or a problem+json `detail`.
    public var description: String {
        switch code {
        case .requestLineTooLong: "the request line is longer than the limit"
        case .headerSectionTooLarge: "the header or trailer section is larger than the limit"
        case .tooManyHeaderFields: "the header or trailer section has more fields than the limit"
        case .contentTooLarge: "the body is larger than the limit"
        case .invalidRequestLine: "the request line is not method SP request-target SP HTTP-version"
        case .invalidMethod: "the method is not a token"
        case .invalidRequestTarget: "the request-target has an invalid character or a form the method does not allow"
        case .invalidVersion: "the HTTP version is not HTTP/DIGIT.DIGIT"
        case .unsupportedVersion: "the HTTP version is well-formed but not 1.x"
        case .bareLineFeed: "a line ends in LF without the CR before it"
        case .bareCarriageReturn: "a CR is not followed by LF"
        case .obsoleteLineFolding: "a field line starts with whitespace (obs-fold or whitespace before the first field)"
        case .whitespaceBeforeColon: "whitespace separates a field name from its colon"
        case .invalidFieldName: "a field name is empty or has a character that is not a token character"
        case .missingColon: "a field line has no colon"
        case .invalidFieldValue: "a field value has a control character other than HTAB"
        case .missingHost: "an HTTP/1.1 request has no Host field"
        case .duplicateHost: "the request has more than one Host field"
        case .invalidHost: "the Host value is not host [ \":\" port ]"
        case .invalidContentLength: "a Content-Length value is not a decimal number that fits in an Int"
        case .duplicateContentLength: "the request has more than one Content-Length field"
        case .contentLengthWithTransferEncoding: "the request has both Content-Length and Transfer-Encoding"
        case .transferEncodingInHTTP10: "an HTTP/1.0 request has Transfer-Encoding, whose framing it cannot use"
        case .invalidTransferEncoding: "a Transfer-Encoding value is empty or not a list of transfer codings"
        case .chunkedNotFinal: "chunked is not the final transfer coding, or appears more than once"
        case .unsupportedTransferEncoding: "a transfer coding other than chunked is present"
        case .invalidChunkSize: "a chunk size is not hexadecimal digits that fit in an Int"
        case .invalidChunkExtension: "a chunk extension is not ;name[=value]"
        case .chunkLineTooLong: "a chunk-size line, with its extensions, is longer than the limit"
        case .missingChunkTerminator: "chunk data is not followed by CRLF"
        }
    }

    /// 414: The request line is longer than the limit.
    public static let requestLineTooLong = HTTPParserError(.requestLineTooLong)
    /// 431: The header or trailer section is larger than the limit.
    public static let headerSectionTooLarge = HTTPParserError(.headerSectionTooLarge)
    /// 431: The header or trailer section has more fields than the limit.
    public static let tooManyHeaderFields = HTTPParserError(.tooManyHeaderFields)
    /// 413: The body is larger than the limit.
    public static let contentTooLarge = HTTPParserError(.contentTooLarge)
    /// 400: The request line is not `method SP request-target SP HTTP-version`.
    public static let invalidRequestLine = HTTPParserError(.invalidRequestLine)
    /// 400: The method is not a token.
    public static let invalidMethod = HTTPParserError(.invalidMethod)
    /// 400: The request-target has an invalid character or a form the method does not allow.
    public static let invalidRequestTarget = HTTPParserError(.invalidRequestTarget)
    /// 400: The HTTP version is not `HTTP/DIGIT.DIGIT`.
    public static let invalidVersion = HTTPParserError(.invalidVersion)
    /// 505: The HTTP version is well-formed but not 1.x.
    public static let unsupportedVersion = HTTPParserError(.unsupportedVersion)
    /// 400: A line ends in LF without the CR before it.
    public static let bareLineFeed = HTTPParserError(.bareLineFeed)
    /// 400: A CR is not followed by LF.
    public static let bareCarriageReturn = HTTPParserError(.bareCarriageReturn)
    /// 400: A field line starts with whitespace (obs-fold or whitespace before the first field).
    public static let obsoleteLineFolding = HTTPParserError(.obsoleteLineFolding)
    /// 400: Whitespace separates a field name from its colon.
    public static let whitespaceBeforeColon = HTTPParserError(.whitespaceBeforeColon)
    /// 400: A field name is empty or has a character that is not a token character.
    public static let invalidFieldName = HTTPParserError(.invalidFieldName)
    /// 400: A field line has no colon.
    public static let missingColon = HTTPParserError(.missingColon)
    /// 400: A field value has a control character other than HTAB.
    public static let invalidFieldValue = HTTPParserError(.invalidFieldValue)
    /// 400: An HTTP/1.1 request has no `Host` field.
    public static let missingHost = HTTPParserError(.missingHost)
    /// 400: The request has more than one `Host` field.
    public static let duplicateHost = HTTPParserError(.duplicateHost)
    /// 400: The `Host` value is not `host [ ":" port ]`.
    public static let invalidHost = HTTPParserError(.invalidHost)
    /// 400: A `Content-Length` value is not a decimal number that fits in an `Int`.
    public static let invalidContentLength = HTTPParserError(.invalidContentLength)
    /// 400: The request has more than one `Content-Length` field.
    public static let duplicateContentLength = HTTPParserError(.duplicateContentLength)
    /// 400: The request has both `Content-Length` and `Transfer-Encoding`.
    public static let contentLengthWithTransferEncoding = HTTPParserError(.contentLengthWithTransferEncoding)
    /// 400: An HTTP/1.0 request has `Transfer-Encoding`, whose framing it cannot use.
    public static let transferEncodingInHTTP10 = HTTPParserError(.transferEncodingInHTTP10)
    /// 400: A `Transfer-Encoding` value is empty or not a list of transfer codings.
    public static let invalidTransferEncoding = HTTPParserError(.invalidTransferEncoding)
    /// 400: `chunked` is not the final transfer coding, or appears more than once.
    public static let chunkedNotFinal = HTTPParserError(.chunkedNotFinal)
    /// 501: A transfer coding other than `chunked` is present.
    public static let unsupportedTransferEncoding = HTTPParserError(.unsupportedTransferEncoding)
    /// 400: A chunk size is not hexadecimal digits that fit in an `Int`.
    public static let invalidChunkSize = HTTPParserError(.invalidChunkSize)
    /// 400: A chunk extension is not `;name[=value]`.
    public static let invalidChunkExtension = HTTPParserError(.invalidChunkExtension)
    /// 400: A chunk-size line, with its extensions, is longer than the limit.
    public static let chunkLineTooLong = HTTPParserError(.chunkLineTooLong)
    /// 400: Chunk data is not followed by CRLF.
    public static let missingChunkTerminator = HTTPParserError(.missingChunkTerminator)
}
