import HTTP
import Testing

@Suite struct PercentEncodingTests {
    @Test func decodingIsLenientAndRepairs() {
        #expect(PercentEncoding.decode("caf%C3%A9") == "café")
        #expect(PercentEncoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("100%") == "100%")
        #expect(PercentEncoding.decode("%zz%4") == "%zz%4")
        #expect(PercentEncoding.decode("%FF") == "\u{FFFD}")
    }

    @Test func strictDecodingRefusesWhatItCannotReadExactly() {
        #expect(PercentEncoding.decodeStrictly("caf%C3%A9") == "café")
        #expect(PercentEncoding.decodeStrictly("plain") == "plain")
        #expect(PercentEncoding.decodeStrictly("100%") == nil)
        #expect(PercentEncoding.decodeStrictly("%zz") == nil)
        #expect(PercentEncoding.decodeStrictly("%FF") == nil)
    }

    @Test func normalizationMakesEquivalentSpellingsEqual() {
        #expect(PercentEncoding.normalize("%6Camp") == "lamp")
        #expect(PercentEncoding.normalize("%7e%2d") == "~-")
        #expect(PercentEncoding.normalize("a%2fb") == "a%2Fb")
        #expect(PercentEncoding.normalize("a%2Fb") == "a%2Fb")
        #expect(PercentEncoding.normalize("50%") == "50%")
    }

    @Test func listElementsAreTrimmedOfOptionalWhitespace() {
        #expect(HTTPHeaders.trimmingWhitespace(" \t close \t") == "close")
        #expect(HTTPHeaders.trimmingWhitespace("") == "")
        #expect(HTTPHeaders.trimmingWhitespace("a b") == "a b")
    }
}
