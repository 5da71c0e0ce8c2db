/// An incremental HTTP/1.1 request parser: a value-type state machine fed bytes as they arrive.
///
/// Feed whatever a read returned, then drain events until `next()` returns `nil`; requests may be split at any byte
/// and several may arrive in one read (pipelining). Unconsumed bytes stay buffered for the next call.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.feed(readBuffer)
/// while let event = parser.next() {
///     switch event {
///     case .head(let head): startRequest(head)
///     case .body(let bytes): appendBody(bytes)
///     case .end(let trailers): finishRequest(trailers)
///     case .error(let error): reject(error.status, close: error.closesConnection)
///     }
/// }
/// ```
///
/// The parser enforces ``HTTPParserLimits`` and the message framing rules of RFC 9112 (see ``HTTPParserError``).
/// Line endings must be CRLF everywhere: RFC 9112 §2.2 lets a recipient accept a bare LF, but a parser that does so
/// behind a proxy that does not is open to header injection, so a bare LF is rejected (as llhttp does).
///
/// Cost: one copy of the input into the parser's buffer, a `memchr` per line, one pass per field to validate it,
/// and `String`s only for complete, valid fields. Body bytes are handed out as slices of the buffer, not copied.
public struct HTTPRequestParser: Sendable {
    private enum State: Sendable {
        case requestLine
        case headerFields
        case contentBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerFields
        case failed
    }

    private enum Step {
        case event(HTTPParserEvent)
        case body(Range<Int>)
        case needMoreBytes
    }

    /// The limits this parser enforces.
    public let limits: HTTPParserLimits

    private var buffer: [UInt8] = []
    /// The first byte not yet consumed; a partial line starts here.
    private var readIndex = 0
    /// Where the search for the end of the current line resumes, so a line trickling in is scanned once.
    private var scanIndex = 0
    private var state = State.requestLine
    private var head = RequestHeadBuilder()
    private var trailers = HTTPHeaders()
    /// Bytes of the header or trailer section so far, CRLFs included.
    private var sectionSize = 0
    private var fieldCount = 0
    private var bodySize = 0

    /// Creates a parser waiting for the first request of a connection.
    /// - Parameter limits: The size limits to enforce; ``HTTPParserLimits/default`` unless given.
    public init(limits: HTTPParserLimits = .default) {
        self.limits = limits
    }

    /// The number of bytes fed but not yet consumed by ``next()``.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the parser is between requests with nothing of the next one buffered: a connection that ends now
    /// loses no request. `false` after an error.
    public var isIdle: Bool {
        guard case .requestLine = state else { return false }
        return readIndex == buffer.count
    }

    // MARK: - Input

    /// Appends bytes read from the connection; they are parsed by the following calls to ``next()``.
    ///
    /// Bytes fed after an error are discarded.
    /// - Parameter bytes: The bytes, in the order they arrived; empty is fine.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if case .failed = state { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes read from the connection; they are parsed by the following calls to ``next()``.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice<UInt8>`, a `String`'s `utf8`) are copied in one go.
    /// - Parameter bytes: The bytes, in the order they arrived; empty is fine.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { feed(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            Array(bytes).withUnsafeBytes { feed($0) }
        }
    }

    /// Drops consumed bytes, moving at most as many bytes as were consumed, so the cost stays linear.
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if readIndex >= buffer.count - readIndex {
            buffer.removeSubrange(0..<readIndex)
        } else {
            return
        }
        scanIndex -= readIndex
        readIndex = 0
    }

    // MARK: - Events

    /// The next event from the bytes fed so far, or `nil` when more bytes are needed.
    ///
    /// After `.error` the parser is finished: it returns `nil` and ignores further input.
    public mutating func next() -> HTTPParserEvent? {
        // A second reference to the storage, not a copy: nothing writes to `buffer` while parsing.
        let bytes = buffer
        let step = bytes.withUnsafeBufferPointer { advance(over: $0) }
        switch step {
        case .needMoreBytes:
            return nil
        case .body(let range):
            return .body(bytes[range])
        case .event(let event):
            if case .error = event {
                buffer = []
                readIndex = 0
                scanIndex = 0
            }
            return event
        }
    }

    private mutating func advance(over bytes: UnsafeBufferPointer<UInt8>) -> Step {
        do {
            while true {
                if let step = try step(over: bytes) { return step }
            }
        } catch {
            state = .failed
            return .event(.error(error))
        }
    }

    /// Runs the current state once: a step to report, or `nil` to continue with the new state.
    private mutating func step(over bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Step? {
        switch state {
        case .requestLine:
            return try requestLine(bytes)
        case .headerFields:
            return try headerField(bytes)
        case .contentBody(let remaining):
            guard remaining > 0 else {
                finishMessage()
                return .event(.end(trailers: nil))
            }
            guard let range = take(remaining, from: bytes) else { return .needMoreBytes }
            state = .contentBody(remaining: remaining - range.count)
            return .body(range)
        case .chunkSizeLine:
            return try chunkSizeLine(bytes)
        case .chunkData(let remaining):
            guard let range = take(remaining, from: bytes) else { return .needMoreBytes }
            state = range.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - range.count)
            return .body(range)
        case .chunkDataEnd:
            let available = bytes.count - readIndex
            guard available > 0 else { return .needMoreBytes }
            guard bytes[readIndex] == ASCII.carriageReturn else { throw .missingChunkTerminator }
            guard available > 1 else { return .needMoreBytes }
            guard bytes[readIndex + 1] == ASCII.lineFeed else { throw .missingChunkTerminator }
            consume(through: readIndex + 1)
            state = .chunkSizeLine
            return nil
        case .trailerFields:
            return try trailerField(bytes)
        case .failed:
            return .needMoreBytes
        }
    }

    private mutating func requestLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Step? {
        let limit = limits.maxRequestLineLength
        // The +1 leaves room for the CR of a line that is exactly at the limit.
        guard let line = try nextLine(bytes, maxUnterminated: limit + 1, maxLength: limit, tooLong: .requestLineTooLong)
        else { return .needMoreBytes }
        // RFC 9112 §2.2: ignore empty lines before a request line (some clients send CRLF after a body).
        guard !line.isEmpty else { return nil }
        try head.parseRequestLine(bytes, line)
        state = .headerFields
        return nil
    }

    private mutating func headerField(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Step? {
        guard let line = try nextSectionLine(bytes) else { return .needMoreBytes }
        guard !line.isEmpty else {
            let requestHead = try head.makeHead(limits: limits)
            switch requestHead.framing {
            case .noBody: state = .contentBody(remaining: 0)
            case .contentLength(let length): state = .contentBody(remaining: length)
            case .chunked: state = .chunkSizeLine
            }
            return .event(.head(requestHead))
        }
        let (name, value) = try Self.splitFieldLine(bytes, line)
        try head.addField(bytes, name: name, value: value)
        return nil
    }

    private mutating func trailerField(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Step? {
        guard let line = try nextSectionLine(bytes) else { return .needMoreBytes }
        guard !line.isEmpty else {
            let fields = trailers
            finishMessage()
            return .event(.end(trailers: fields.isEmpty ? nil : fields))
        }
        let (name, value) = try Self.splitFieldLine(bytes, line)
        trailers.add(name: ByteScan.string(bytes, name), value: ByteScan.string(bytes, value))
        return nil
    }

    private mutating func chunkSizeLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Step? {
        let limit = limits.maxChunkLineLength
        guard let line = try nextLine(bytes, maxUnterminated: limit + 1, maxLength: limit, tooLong: .chunkLineTooLong)
        else { return .needMoreBytes }
        let size = try ChunkSizeLine.parse(bytes, line)
        guard size > 0 else {
            state = .trailerFields
            sectionSize = 0
            fieldCount = 0
            return nil
        }
        // Refused on the announcement, before the chunk's data is read.
        guard size <= limits.maxBodySize - bodySize else { throw .contentTooLarge }
        bodySize += size
        state = .chunkData(remaining: size)
        return nil
    }

    // MARK: - Lines

    /// The next CRLF-terminated line (without CRLF) consumed from the buffer, or `nil` if it is not complete.
    ///
    /// Length is checked before content, and an unterminated line is refused as soon as it exceeds
    /// `maxUnterminated`, so the verdict does not depend on how the bytes were split.
    private mutating func nextLine(
        _ bytes: UnsafeBufferPointer<UInt8>,
        maxUnterminated: Int,
        maxLength: Int,
        tooLong: HTTPParserError
    ) throws(HTTPParserError) -> Range<Int>? {
        guard let lineFeed = findLineFeed(bytes) else {
            if bytes.count - readIndex > maxUnterminated { throw tooLong }
            return nil
        }
        let start = readIndex
        let hasCarriageReturn = lineFeed > start && bytes[lineFeed - 1] == ASCII.carriageReturn
        let end = hasCarriageReturn ? lineFeed - 1 : lineFeed
        if end - start > maxLength { throw tooLong }
        guard hasCarriageReturn else { throw .bareLineFeed }
        consume(through: lineFeed)
        return start..<end
    }

    /// The next line of a header or trailer section, counted against the section limits.
    private mutating func nextSectionLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Range<Int>? {
        guard let lineFeed = findLineFeed(bytes) else {
            if sectionSize + (bytes.count - readIndex) > limits.maxHeaderSectionSize { throw .headerSectionTooLarge }
            return nil
        }
        let start = readIndex
        sectionSize += lineFeed + 1 - start
        if sectionSize > limits.maxHeaderSectionSize { throw .headerSectionTooLarge }
        guard lineFeed > start, bytes[lineFeed - 1] == ASCII.carriageReturn else { throw .bareLineFeed }
        let end = lineFeed - 1
        if end > start {
            fieldCount += 1
            if fieldCount > limits.maxHeaderCount { throw .tooManyHeaderFields }
        }
        consume(through: lineFeed)
        return start..<end
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5): the name and the trimmed value.
    private static func splitFieldLine(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>
    ) throws(HTTPParserError) -> (name: Range<Int>, value: Range<Int>) {
        // A line starting with whitespace is obs-fold, or whitespace before the first field (RFC 9112 §2.2, §5.2).
        if ASCII.isWhitespace(bytes[line.lowerBound]) { throw .obsoleteLineFolding }
        var colon = line.lowerBound
        while colon < line.upperBound, ASCII.isTokenCharacter(bytes[colon]) { colon += 1 }
        guard colon < line.upperBound else { throw .missingColon }
        let separator = bytes[colon]
        guard separator == ASCII.colon else {
            if ASCII.isWhitespace(separator) { throw .whitespaceBeforeColon }
            if separator == ASCII.carriageReturn { throw .bareCarriageReturn }
            throw .invalidFieldName
        }
        guard colon > line.lowerBound else { throw .invalidFieldName }
        let value = ByteScan.trimmed(bytes, colon + 1..<line.upperBound)
        if let invalid = ByteScan.firstInvalidFieldValueByte(bytes, value) {
            throw bytes[invalid] == ASCII.carriageReturn ? .bareCarriageReturn : .invalidFieldValue
        }
        return (line.lowerBound..<colon, value)
    }

    private mutating func findLineFeed(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let lineFeed = ByteScan.first(ASCII.lineFeed, in: bytes, scanIndex..<bytes.count) else {
            scanIndex = bytes.count
            return nil
        }
        return lineFeed
    }

    // MARK: - Bookkeeping

    /// Up to `count` buffered bytes, consumed; `nil` if none are buffered.
    private mutating func take(_ count: Int, from bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let available = min(count, bytes.count - readIndex)
        guard available > 0 else { return nil }
        let range = readIndex..<readIndex + available
        readIndex += available
        scanIndex = readIndex
        return range
    }

    private mutating func consume(through index: Int) {
        readIndex = index + 1
        scanIndex = readIndex
    }

    /// Resets per-message state for the next pipelined request; buffered bytes stay.
    private mutating func finishMessage() {
        state = .requestLine
        head = RequestHeadBuilder()
        trailers = HTTPHeaders()
        sectionSize = 0
        fieldCount = 0
        bodySize = 0
    }
}
