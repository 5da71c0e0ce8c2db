// libFuzzer harness for the HTTP request parser, built by fuzz-http-parser.sh (not part of `swift build`).
//
// Each input is parsed twice: whole, and split in two at a point taken from the input itself. Both runs must
// produce the same events (body chunks merged, since chunking follows the split); every error must close the
// connection; no body may exceed the parser's limit. A crash, a sanitizer report or a failed check is a finding.

/// A parse run's events in a form that ignores how the body was chunked.
private enum Step: Equatable {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end(HTTPHeaders?)
    case error(HTTPParserError)
}

private func parse(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits) -> [Step] {
    var parser = HTTPRequestParser(limits: limits)
    var steps: [Step] = []
    var bodyBytes = 0
    func drain() {
        while let event = parser.next() {
            switch event {
            case .head(let head):
                steps.append(.head(head))
                bodyBytes = 0
            case .body(let bytes):
                bodyBytes += bytes.count
                precondition(bodyBytes <= limits.maxBodySize, "a body grew past the limit")
                if case .body(let previous) = steps.last {
                    steps[steps.count - 1] = .body(previous + Array(bytes))
                } else {
                    steps.append(.body(Array(bytes)))
                }
            case .end(let trailers):
                steps.append(.end(trailers))
            case .error(let error):
                precondition(error.closesConnection, "a parser error must close the connection")
                steps.append(.error(error))
            }
        }
    }
    for piece in pieces {
        parser.feed(piece)
        drain()
    }
    return steps
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Small limits make the limit paths reachable with short inputs.
    let limits = HTTPParserLimits(
        maxRequestLineLength: 256,
        maxHeaderSectionSize: 512,
        maxHeaderCount: 16,
        maxBodySize: 1024,
        maxChunkLineLength: 64
    )
    let whole = parse([bytes[...]], limits: limits)
    guard !bytes.isEmpty else { return 0 }
    let cut = Int(bytes[0]) * bytes.count / 256
    let split = parse([bytes[..<cut], bytes[cut...]], limits: limits)
    precondition(whole == split, "splitting the input at \(cut) changed the parse")
    let byteByByte = parse(bytes.indices.map { bytes[$0...$0] }, limits: limits)
    precondition(whole == byteByByte, "feeding byte by byte changed the parse")
    return 0
}
