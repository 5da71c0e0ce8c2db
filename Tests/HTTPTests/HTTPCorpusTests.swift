import HTTP
import Testing

/// The malformed and edge-case requests of `Fixtures/http` against the parser.
@Suite("HTTP corpus")
struct HTTPCorpusTests {
    @Test("the corpus loads and covers at least 60 cases")
    func corpusIsComplete() throws {
        let cases = try HTTPCorpus.load()
        #expect(cases.count >= 60)
        #expect(Set(cases.map(\.file)).count == cases.count)
        #expect(cases.contains { $0.status == 200 } && cases.contains { $0.status == 400 })
        for status in [413, 414, 431, 501, 505] {
            #expect(cases.contains { $0.status == status }, "no case for \(status)")
        }
    }

    @Test("every corpus case gets its expected status and connection verdict", arguments: try HTTPCorpus.load())
    func corpusCase(_ corpusCase: HTTPCorpus.Case) {
        let whole = ParserRun.whole(corpusCase.bytes)
        let outcome = whole.outcome
        #expect(outcome.status == corpusCase.status, "\(corpusCase.summary): \(whole.events.suffix(2))")
        #expect(outcome.closesConnection == corpusCase.closesConnection, "\(corpusCase.summary)")
        #expect(ParserRun.byteByByte(corpusCase.bytes).events == whole.events, "byte by byte differs")
        #expect(ParserRun.pieces(corpusCase.bytes, size: 7).events == whole.events, "7-byte pieces differ")
    }
}
