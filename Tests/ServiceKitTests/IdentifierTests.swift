import Foundation
import ServiceKit
import Testing

@Suite struct IdentifierTests {
    enum Order {}
    enum Customer {}

    @Test func identifiersAreStringsOnTheWireAndDistinctTypesInCode() throws {
        let order: Identifier<Order> = "o-1"
        #expect(String(decoding: try JSONEncoder().encode(order), as: UTF8.self) == #""o-1""#)
        #expect(try JSONDecoder().decode(Identifier<Order>.self, from: Data(#""o-2""#.utf8)) == "o-2")
        #expect(Identifier<Order>(rawValue: "a") < Identifier<Order>(rawValue: "b"))
        #expect("\(order)" == "o-1")
        // A customer id is another type: `let wrong: Identifier<Order> = Identifier<Customer>("c")` does not compile.
        #expect(type(of: order) != Identifier<Customer>.self)
    }
}
