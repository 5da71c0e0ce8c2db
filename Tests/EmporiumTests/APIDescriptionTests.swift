import CartAPI
import CatalogAPI
import Commerce
import CustomersAPI
import Emporium
import Foundation
import Gateway
import IdentityAPI
import InventoryAPI
import OrdersAPI
import PaymentsAPI
import RecommendationsAPI
import SearchAPI
import ServiceKit
import Telemetry
import Testing
import WarehouseAPI

/// `Docs/openapi.yaml` describes exactly the routes the gateway serves: none missing, none invented.
@Suite struct APIDescriptionTests {
    @Test func theOpenAPIDocumentListsEveryRouteAndNoOther() async throws {
        var configuration = EmporiumConfiguration(dataDirectory: nil)
        configuration.serveHTTP = false
        configuration.logLevel = .critical
        let system = try await Emporium.start(configuration)
        let served = Set(system.routes.map { "\($0.method) \($0.pattern)" })
        await system.stop()

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
        let described = Self.operations(in: document)
        // The gateway's own probes are described too, but are not declared routes.
        let operational: Set = ["GET /health", "GET /ready", "GET /metrics"]
        #expect(served.subtracting(described).sorted() == [], "routes missing from Docs/openapi.yaml")
        #expect(described.subtracting(served).subtracting(operational).sorted() == [], "operations the gateway does not serve")
    }

    static func document() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
    }

    /// The lines of the block that starts with the line `header` and ends before the next line indented as
    /// little or less.
    static func block(_ header: String, in document: String) -> [Substring] {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == header }) else { return [] }
        let indent = header.prefix { $0 == " " }.count
        let rest = lines[(start + 1)...].prefix { line in line.isEmpty || line.prefix { $0 == " " }.count > indent }
        return [lines[start]] + rest
    }

    /// The server accepts any `X-Request-Id` and replaces one it cannot use: the document must not constrain the
    /// request header (a client following a pattern there would expect a 4xx for other values).
    @Test func theRequestIdParameterAcceptsAnyValueAsTheServerDoes() throws {
        let parameter = Self.block("    XRequestIdParam:", in: try Self.document())
        #expect(!parameter.isEmpty)
        #expect(parameter.contains("        type: string"))
        for constraint in ["pattern:", "minLength:", "maxLength:", "enum:", "format:"] {
            #expect(!parameter.contains { $0.contains(constraint) }, "XRequestIdParam has \(constraint)")
        }
    }

    /// The gateway refuses body members a request does not know: every schema a request body uses, and every
    /// object schema those reference, says `additionalProperties: false`.
    @Test func requestBodySchemasRefuseUnknownMembersAsTheServerDoes() throws {
        let document = try Self.document()
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        func reference(_ line: Substring) -> String? {
            guard let range = line.range(of: "#/components/schemas/") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "'" && $0 != "\"" })
        }
        var pending: [String] = []
        for (index, line) in lines.enumerated() where line.hasSuffix("requestBody:") {
            let body = lines[(index + 1)...].prefix { $0.prefix { $0 == " " }.count > line.prefix { $0 == " " }.count }
            pending += body.compactMap(reference)
        }
        #expect(
            Set(pending) == [
                "Registration", "Credentials", "RefreshToken", "ProductDraft", "StockAdjustmentRequest", "ThresholdRequest",
                "RefundRequestBody", "SubscribeRequest", "ProfileUpdateRequest", "AddressRequest", "CartItemRequest",
                "CartQuantityRequest", "CartMergeRequest", "CheckoutRequest", "ReturnRequest", "ProductViewRequest",
            ]
        )
        var checked: Set<String> = []
        while let name = pending.popLast() {
            guard checked.insert(name).inserted else { continue }
            let schema = Self.block("    \(name):", in: document)
            guard schema.contains("      type: object") else { continue }
            #expect(schema.contains("      additionalProperties: false"), "schema \(name) accepts unknown members")
            pending += schema.compactMap(reference)
        }
        #expect(checked.contains("Money"))
    }

    /// Every problem type a capability's failure can have is listed in the document, and each failure says what
    /// happened in a sentence, without Swift case names or dumps.
    @Test func everyFailureHasADocumentedProblemTypeAndASentence() throws {
        let document = try Self.document()
        let catalog: [CatalogError] = [
            .productNotFound("p-1"), .categoryNotFound("c"), .duplicateSKU("s"), .duplicateProductID("p-1"), .versionConflict(expected: 1, actual: 2),
            .invalid("must be between 1 and 100", field: "limit"), .invalid("the document is malformed"), .invalidCursor,
        ]
        let identity: [IdentityError] = [
            .invalidEmail, .weakPassword("use at least 10 characters"), .emailTaken, .invalidCredentials,
            .tooManyAttempts(retryAfterSeconds: 1), .invalidRefreshToken, .refreshTokenReused, .userNotFound("u"),
        ]
        let search: [SearchError] = [.invalidQuery("at most 16 words", field: "q")]
        let inventory: [InventoryError] = [
            .insufficientStock([.init(productId: "p-1", requested: 3, available: 1)]), .reservationNotFound("o-1"),
            .reservationNotHeld("o-1", .expired), .warehouseNotFound("paris"), .adjustmentBelowReserved("p-1", "berlin", onHand: 1, reserved: 2),
            .invalid("delta must not be zero", field: "delta"),
        ]
        let warehouse: [WarehouseError] = [
            .shipmentNotFound("shp-1"), .purchaseOrderNotFound("po-1"), .orderNotFulfillable("o-1", reason: "it holds no stock"),
            .shipmentFinished("shp-1", .delivered), .shipmentAlreadyShipped("shp-1", .shipped),
            .stockNotCommitted("shp-1", reason: "the reservation of order o-1 is expired, not held"),
            .returnRefused("r-1", reason: "no warehouse has the id x"),
            .returnMismatch("r-1"), .purchaseOrderRefused("po-1", reason: "no warehouse has the id x"), .inventoryUnavailable("try again"),
            .invalid("must list at least one product", field: "lines"),
        ]
        let payment = PaymentIntentID(rawValue: "pi_1")
        let euros = { (minorUnits: Int64) in Money(minorUnits: minorUnits, currency: "EUR") }
        let payments: [PaymentsError] = [
            .cardDeclined(Decline(code: .insufficientFunds)), .invalidCard("fails the Luhn check", field: "card.number"),
            .paymentNotFound(payment), .unexpectedState(payment, .requiresCapture, operation: "refund"),
            .unexpectedState(payment, .succeeded, operation: "authorize"),
            .amountTooLarge(requested: euros(5000), available: euros(3999), operation: "refund"), .subscriptionNotFound("u-1"),
            .alreadySubscribed("u-1", .active), .invalid("amount must be positive", field: "amount"), .invalid("nothing is left to refund"),
        ]
        let customers: [CustomersError] = [
            .profileNotFound("u-1"), .addressNotFound("adr_1"), .addressBookFull(limit: 20),
            .invalidAddress([FieldError(field: "postalCode", message: "must be a postal code of NL, like 1234 AB")]),
            .invalidProfile([FieldError(field: "displayName", message: "is required")]), .invalid("must be between 1 and 100", field: "limit"),
        ]
        let cart: [CartError] = [
            .versionConflict(expected: 1, actual: 2), .productNotFound("p-1"), .productOffSale("p-1"), .lineNotFound("p-1"),
            .tooManyLines(limit: 50), .invalid("the quantity must be from 0 (to remove the line) to 99", field: "quantity"),
            .invalid("a cart belongs either to a customer or to a guest token"),
        ]
        let orders: [OrdersError] = [
            .orderNotFound("o-1"), .emptyCart, .cartNotPurchasable(["p-1", "p-2"]), .notCancellable("o-1", .pending),
            .notCancellable("o-1", .shipped), .notReturnable("o-1", .confirmed),
            .returnRefused("o-1", reason: "product p-9 is not part of the order"), .addressNotFound("adr_1"),
            .invalid("must be from 1 to 100", field: "limit"), .invalid("give exactly one of addressId and shippingAddress"),
            .invalidAddress([FieldError(field: "shippingAddress.postalCode", message: "must be a postal code of NL, like 1234 AB")]),
        ]
        let recommendations: [RecommendationsError] = [
            .productNotFound("p-1"), .invalidQuery("must be from 1 to 50", field: "limit"), .invalidQuery("the query is empty"),
        ]
        let failures: [any ServiceFailure] =
            catalog + identity + search + inventory + warehouse + payments + customers + cart + orders + recommendations
        for failure in failures {
            #expect(failure.problemType.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*/#) != nil, "\(failure.problemType)")
            #expect(document.contains("`\(failure.problemType)`"), "problem type \(failure.problemType) is not in Docs/openapi.yaml")
            #expect(failure.detail.first?.isUppercase == true && failure.detail.hasSuffix("."), "\(failure.detail)")
            let texts = [failure.detail] + failure.fieldErrors.flatMap { [$0.field, $0.message] }
            #expect(texts.allSatisfy { $0.firstMatch(of: #/[A-Za-z_]\(/#) == nil }, "\(texts)")
        }
        let gateway = [
            "invalid-request", "missing-body", "malformed-json", "invalid-body", "malformed-request", "invalid-path", "unauthorized",
            "forbidden", "not-found", "method-not-allowed", "rate-limited", "internal-error", "upstream-error", "circuit-open",
            "service-unavailable", "service-busy", "timeout", "precondition-failed", "precondition-required", "instance-not-found", "overloaded",
            "fault-target-not-found", "payments-unavailable", "duplicate-product-id", "checkout-failed", "storage-unavailable",
            "inventory-unavailable",
        ]
        for slug in gateway {
            #expect(document.contains("`\(slug)`"), "problem type \(slug) is not in Docs/openapi.yaml")
        }
    }

    /// `METHOD /path` for each operation under `paths:` (two-space indented paths, four-space indented methods).
    static func operations(in document: String) -> Set<String> {
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        var result: Set<String> = []
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { result.insert("\(method.uppercased()) \(path)") }
            }
        }
        return result
    }
}
