import HTTP
import Testing

@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("lookups ignore case and keep order and repeats")
    func caseInsensitiveLookup() {
        let headers: HTTPHeaders = ["Content-Type": "text/html", "Set-Cookie": "a=1", "set-cookie": "b=2"]
        #expect(headers.first(name: "CONTENT-TYPE") == "text/html")
        #expect(headers.values(name: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.contains(name: "content-type"))
        #expect(!headers.contains(name: "Content-Typ"))
        #expect(headers.first(name: "Missing") == nil)
        #expect(headers.map(\.name) == ["Content-Type", "Set-Cookie", "set-cookie"])
    }

    @Test("replaceOrAdd replaces the first match, drops the rest, or appends")
    func replaceOrAdd() {
        var headers: HTTPHeaders = ["A": "1", "Cache-Control": "no-cache", "B": "2", "cache-control": "private"]
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        #expect(headers.map(\.name) == ["A", "Cache-Control", "B"])
        #expect(headers.values(name: "cache-control") == ["no-store"])
        headers.replaceOrAdd(name: "ETag", value: "\"x\"")
        #expect(headers.last?.name == "ETag")
        headers.remove(name: "a")
        #expect(headers.map(\.name) == ["Cache-Control", "B", "ETag"])
    }
}
