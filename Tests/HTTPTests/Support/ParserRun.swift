import HTTP
import Testing

/// The events of one parser fed a request in given pieces, draining events after each piece, with consecutive
/// body events merged: how bytes arrive changes body slicing, nothing else.
struct ParserRun {
    /// The events, body events merged.
    let events: [HTTPParserEvent]
    /// Whether the parser ended between requests with nothing buffered.
    let isIdle: Bool

    init(pieces: some Sequence<ArraySlice<UInt8>>, limits: HTTPParserLimits = .default) {
        var parser = HTTPRequestParser(limits: limits)
        var events: [HTTPParserEvent] = []
        var body: [UInt8]?
        for piece in pieces {
            parser.feed(piece)
            while let event = parser.next() {
                if case .body(let bytes) = event {
                    body = (body ?? []) + bytes
                    continue
                }
                if let pending = body {
                    events.append(.body(pending[...]))
                    body = nil
                }
                events.append(event)
            }
        }
        if let pending = body { events.append(.body(pending[...])) }
        self.events = events
        self.isIdle = parser.isIdle
    }

    /// All bytes in one piece.
    static func whole(_ bytes: [UInt8], limits: HTTPParserLimits = .default) -> ParserRun {
        ParserRun(pieces: [bytes[...]], limits: limits)
    }

    /// One byte at a time.
    static func byteByByte(_ bytes: [UInt8], limits: HTTPParserLimits = .default) -> ParserRun {
        ParserRun(pieces: bytes.indices.lazy.map { bytes[$0...$0] }, limits: limits)
    }

    /// Pieces of `size` bytes.
    static func pieces(_ bytes: [UInt8], size: Int, limits: HTTPParserLimits = .default) -> ParserRun {
        ParserRun(pieces: stride(from: 0, to: bytes.count, by: size).lazy.map { bytes[$0..<min($0 + size, bytes.count)] }, limits: limits)
    }

    /// Parses `bytes` whole, byte by byte and split in two at every position (swift-nio's
    /// `ByteToMessageDecoderVerifier` idea), expects identical events each time, and returns the whole-feed run.
    @discardableResult
    static func verifySplits(
        _ bytes: [UInt8],
        limits: HTTPParserLimits = .default,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParserRun {
        let whole = ParserRun.whole(bytes, limits: limits)
        let single = ParserRun.byteByByte(bytes, limits: limits)
        #expect(single.events == whole.events, "byte by byte differs from whole", sourceLocation: sourceLocation)
        #expect(single.isIdle == whole.isIdle, sourceLocation: sourceLocation)
        for split in 0...bytes.count {
            let halves = ParserRun(pieces: [bytes[..<split], bytes[split...]], limits: limits)
            guard halves.events == whole.events else {
                Issue.record("split at \(split) differs from whole: \(halves.events)", sourceLocation: sourceLocation)
                break
            }
        }
        return whole
    }

    /// The verdict a server would give: the first error's status and close, or 200 and the last request's
    /// keep-alive when every request completed. `nil` status when the input ends inside a request.
    var outcome: (status: Int?, closesConnection: Bool) {
        var keepAlive = true
        var inMessage = false
        for event in events {
            switch event {
            case .head(let head):
                keepAlive = head.keepAlive
                inMessage = true
            case .body:
                break
            case .end:
                inMessage = false
            case .error(let error):
                return (error.status.code, error.closesConnection)
            }
        }
        guard !inMessage, isIdle, events.contains(where: { if case .end = $0 { true } else { false } }) else {
            return (nil, false)
        }
        return (200, !keepAlive)
    }
}
