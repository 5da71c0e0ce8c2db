import ServiceKit
import Testing

@Suite struct InProcessTransportTests {
    @Test(arguments: InProcessTransport.Mode.allCases)
    func repliesAndEveryErrorArriveTheSameInBothModes(mode: InProcessTransport.Mode) async throws {
        let calls = LockedValue<[String: Int]>([:])
        let instance = pricingInstance("pricing-1", calls: calls)
        let transport = InProcessTransport(mode: mode)

        #expect(try await transport.call(PricingEndpoints.quote, "lamp", on: instance) == Quote(sku: "lamp", cents: 1999, servedBy: "pricing-1"))
        await #expect(throws: PricingError.unknownSKU("missing")) {
            try await transport.call(PricingEndpoints.quote, "missing", on: instance)
        }
        await #expect(throws: PricingError.priceNotSet(sku: "unset", since: 2024)) {
            try await transport.call(PricingEndpoints.quote, "unset", on: instance)
        }
        await #expect(throws: PricingError.rejected) {
            try await transport.call(PricingEndpoints.setPrice, Quote(sku: "lamp", cents: -1, servedBy: ""), on: instance)
        }
        // An undeclared error is an internal error, whatever the mode.
        await #expect(throws: RemoteCallError(kind: .internalError, endpoint: "pricing.quote", message: "undeclared boom")) {
            try await transport.call(PricingEndpoints.quote, "boom", on: instance)
        }
        let unknown = Endpoint<String, String>("pricing.unknown", failure: PricingError.self)
        await #expect {
            try await transport.call(unknown, "x", on: instance)
        } throws: { error in
            (error as? RemoteCallError)?.kind == .unknownEndpoint
        }
    }

    @Test func aDirectCallWhoseTypesDifferFromTheHandlersIsABadRequest() async throws {
        let calls = LockedValue<[String: Int]>([:])
        let instance = pricingInstance("pricing-1", calls: calls)
        // Same name as `pricing.quote`, other request type.
        let mistyped = Endpoint<Int, Quote>("pricing.quote", failure: PricingError.self)
        await #expect {
            try await InProcessTransport(mode: .direct).call(mistyped, 7, on: instance)
        } throws: { error in
            (error as? RemoteCallError)?.kind == .badRequest
        }
        #expect(calls.value.isEmpty)
    }

    @Test func serializedModeReallyEncodesTheRequest() async throws {
        // A request type whose encoding fails shows that the serialized mode encodes, and the direct one does not.
        struct Unencodable: Codable, Sendable {
            let value: Double
        }
        var handlers = EndpointHandlers()
        let endpoint = Endpoint<Unencodable, Int>("pricing.odd", failure: PricingError.self)
        handlers.register(endpoint) { _ in 1 }
        let instance = ServiceInstance(service: "pricing", id: "pricing-1", version: "1", address: .inProcess(handlers))
        #expect(try await InProcessTransport(mode: .direct).call(endpoint, Unencodable(value: .nan), on: instance) == 1)
        await #expect {
            try await InProcessTransport(mode: .serialized).call(endpoint, Unencodable(value: .nan), on: instance)
        } throws: { error in
            (error as? RemoteCallError)?.kind == .badRequest
        }
    }
}
