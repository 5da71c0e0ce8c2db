import Commerce
import ServiceKit
import Testing
import WarehouseAPI

@Suite struct WarehouseErrorTests {
    /// Every failure has a problem type for programs and a sentence for people, without Swift names in it.
    @Test func everyFailureHasAProblemTypeAndASentence() {
        let failures: [WarehouseError] = [
            .shipmentNotFound("shp-1"), .purchaseOrderNotFound("po-1"), .orderNotFulfillable("o-1", reason: "it holds no stock"),
            .shipmentFinished("shp-1", .delivered), .shipmentAlreadyShipped("shp-1", .shipped),
            .stockNotCommitted("shp-1", reason: "the reservation of order o-1 is expired, not held"),
            .returnRefused("r-1", reason: "no warehouse has the id bern"), .returnMismatch("r-1"),
            .purchaseOrderRefused("po-1", reason: "no warehouse has the id bern"), .inventoryUnavailable("order o-1 is not fulfilled yet"),
            .invalid("must list at least one product", field: "lines"), .invalid("the request is empty"),
        ]
        for failure in failures {
            #expect(failure.problemType.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*/#) != nil, "\(failure.problemType)")
            #expect(failure.detail.first?.isUppercase == true && failure.detail.hasSuffix("."), "\(failure.detail)")
            let texts = [failure.detail] + failure.fieldErrors.flatMap { [$0.field, $0.message] }
            #expect(texts.allSatisfy { $0.firstMatch(of: #/[A-Za-z_]\(/#) == nil }, "\(texts)")
        }
        #expect(Set(failures.map(\.problemType)).count == 11)
        #expect(WarehouseError.inventoryUnavailable("x").retryAfter == .seconds(5))
    }
}
