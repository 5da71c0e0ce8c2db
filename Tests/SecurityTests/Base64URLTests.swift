import Foundation
import Security
import Testing

@Suite struct Base64URLTests {
    /// Foundation's base64 with RFC 4648 §5's alphabet and no padding: what the table-driven codec must agree with.
    private static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test func everyLengthRoundTripsAndMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...130 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(text == Self.reference(bytes), "\(bytes)")
            #expect(Base64URL.decode(text) == bytes, "\(text)")
            #expect(Base64URL.decode(Substring(text)) == bytes)
        }
        let every = Array(0...255).map(UInt8.init)
        #expect(Base64URL.decode(Base64URL.encode(every)) == every)
        #expect(Base64URL.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw")
    }

    @Test(arguments: ["YW55+w", "YW55/w", "YW55IA==", "YW55I", "YW5 5", "YW55Iü", "YR", "YWF"])
    func textThatIsNotCanonicalBase64URLIsRefused(text: String) {
        // Other alphabets, padding, a single character over, spaces, non-ASCII, and leftover bits that are not zero.
        #expect(Base64URL.decode(text) == nil)
    }
}
