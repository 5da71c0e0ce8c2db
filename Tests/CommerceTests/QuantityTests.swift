import Commerce
import Foundation
import ServiceKit
import Testing

@Suite struct QuantityTests {
    private struct Line: Codable, Equatable {
        var product: ProductID
        var quantity: Quantity
    }

    @Test func isAPlainJSONInteger() throws {
        let line = Line(product: "p-1", quantity: try Quantity(3))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(line), as: UTF8.self) == #"{"product":"p-1","quantity":3}"#)
        #expect(try JSONDecoder().decode(Line.self, from: Data(#"{"product":"p-1","quantity":3}"#.utf8)) == line)
        #expect(try JSONDecoder().decode([Quantity].self, from: Data("[1, 1000000]".utf8)).map(\.value) == [1, 1_000_000])
    }

    @Test(arguments: ["0", "-1", "1000001", "1.5", "\"3\"", "null", "9223372036854775808"])
    func decodingRejects(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Line.self, from: Data(#"{"product":"p-1","quantity":\#(json)}"#.utf8))
        }
    }

    @Test func decodingSaysWhatIsWrong() throws {
        do {
            _ = try JSONDecoder().decode([Quantity].self, from: Data("[0]".utf8))
            Issue.record("0 decoded as a quantity")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription == "A quantity must be at least 1, not 0.")
        }
    }

    @Test func theInitializerValidates() throws {
        #expect(throws: QuantityError.notPositive(0)) { try Quantity(0) }
        #expect(throws: QuantityError.notPositive(-4)) { try Quantity(-4) }
        #expect(throws: QuantityError.tooLarge(1_000_001)) { try Quantity(1_000_001) }
        #expect(try Quantity(1).value == 1)
        #expect(try Quantity(2).adding(Quantity(3)) == Quantity(5))
        #expect(throws: QuantityError.tooLarge(1_000_001)) { try Quantity(1_000_000).adding(Quantity(1)) }
        #expect(try Quantity(2) < Quantity(3))
        #expect(QuantityError.tooLarge(7).description == "A quantity can be at most 1000000, not 7.")
    }

    @Test func aCustomerIDIsTheUsersIDText() throws {
        let customer = CustomerID(rawValue: "u-7f3a")
        #expect(String(decoding: try JSONEncoder().encode(customer), as: UTF8.self) == #""u-7f3a""#)
    }
}
