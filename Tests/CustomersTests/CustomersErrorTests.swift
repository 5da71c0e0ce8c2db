import CustomersAPI
import ServiceKit
import Testing

@Suite struct CustomersErrorTests {
    /// Every failure has a problem type for programs and a sentence for people, without Swift names in it.
    @Test func everyFailureHasAProblemTypeAndASentence() {
        let failures: [CustomersError] = [
            .profileNotFound("c-1"), .addressNotFound("adr_1"), .addressBookFull(limit: 20),
            .invalidAddress([FieldError(field: "name", message: "is required"), FieldError(field: "country", message: "is required")]),
            .invalidAddress([]), .invalidProfile([FieldError(field: "displayName", message: "is required")]),
            .invalid("must be from 1 to 100", field: "limit"), .invalid("the request is empty"),
        ]
        for failure in failures {
            #expect(failure.problemType.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*/#) != nil, "\(failure.problemType)")
            #expect(failure.detail.first?.isUppercase == true && failure.detail.hasSuffix("."), "\(failure.detail)")
            let texts = [failure.detail] + failure.fieldErrors.flatMap { [$0.field, $0.message] }
            #expect(texts.allSatisfy { $0.firstMatch(of: #/[A-Za-z_]\(|\[|\]|CustomerID|Identifier|rawValue/#) == nil }, "\(texts)")
        }
        #expect(Set(failures.map(\.problemType)) == ["profile-not-found", "address-not-found", "address-book-full", "validation-failed"])
        #expect(CustomersError.addressNotFound("adr_1").detail == "Your address book has no address with the id adr_1.")
        #expect(
            CustomersError.invalidAddress([FieldError(field: "name", message: "is required"), FieldError(field: "country", message: "is required")])
                .detail
                == "The address is not valid: name is required; country is required."
        )
        #expect(CustomersError.invalidAddress([FieldError(field: "name", message: "is required")]).fieldErrors.map(\.field) == ["name"])
        #expect(CustomersError.profileNotFound("c-1").fieldErrors.isEmpty)
    }
}
