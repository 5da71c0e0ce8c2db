import Foundation
import ServiceKit
import Testing

@Suite struct IdempotencyTypesTests {
    @Test(arguments: ["a", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "with space ~!", String(repeating: "k", count: 255)])
    func acceptsOneTo255PrintableASCIICharacters(text: String) throws {
        #expect(try IdempotencyKey(text).rawValue == text)
        #expect(try JSONDecoder().decode(IdempotencyKey.self, from: JSONEncoder().encode(text)).rawValue == text)
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "tab\there", "new\nline", "caf\u{e9}", "\u{7f}"])
    func rejectsAnythingElse(text: String) throws {
        #expect(throws: IdempotencyFailure.invalidKey) { try IdempotencyKey(text) }
        #expect(IdempotencyKey(rawValue: text) == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IdempotencyKey.self, from: JSONEncoder().encode(text)) }
    }

    @Test func anEmptyCallerIsAnonymous() throws {
        #expect(IdempotentRequest(key: try IdempotencyKey("k"), caller: "", body: 1).caller == nil)
        #expect(IdempotentRequest(key: try IdempotencyKey("k"), caller: "alice", body: 1).caller == "alice")
    }

    /// An idempotent endpoint's handler throws idempotency failures besides its own failure type; both arrive
    /// typed, in either mode.
    @Test(arguments: InProcessTransport.Mode.allCases)
    func idempotencyFailuresCrossTheWireBesideTheEndpointsOwn(mode: InProcessTransport.Mode) async throws {
        let endpoint = Endpoint<IdempotentRequest<String>, IdempotentReply<String>>("pricing.charge", failure: PricingError.self)
        var handlers = EndpointHandlers()
        handlers.register(endpoint) { request in
            switch request.body {
            case "reused": throw IdempotencyFailure.keyReused
            case "busy": throw IdempotencyFailure.inProgress
            case "unknown": throw PricingError.unknownSKU("unknown")
            default: return IdempotentReply(body: request.body + " by " + (request.caller ?? "anonymous"), replayed: true)
            }
        }
        let instance = ServiceInstance(service: "pricing", id: "pricing-1", version: "1", address: .inProcess(handlers))
        let transport = InProcessTransport(mode: mode)
        func call(_ body: String) async throws -> IdempotentReply<String> {
            try await transport.call(endpoint, IdempotentRequest(key: try IdempotencyKey("k-1"), caller: "alice", body: body), on: instance)
        }
        #expect(try await call("lamp") == IdempotentReply(body: "lamp by alice", replayed: true))
        await #expect(throws: IdempotencyFailure.keyReused) { try await call("reused") }
        await #expect(throws: IdempotencyFailure.inProgress) { try await call("busy") }
        await #expect(throws: PricingError.unknownSKU("unknown")) { try await call("unknown") }
    }

    @Test func failuresReadAsSentences() {
        for failure in [IdempotencyFailure.missingKey, .invalidKey, .keyReused, .inProgress] {
            #expect(failure.description.first?.isUppercase == true && failure.description.hasSuffix("."))
        }
        #expect(IdempotencyFailure.inProgress.retryAfter == .seconds(1))
        #expect(IdempotencyFailure.keyReused.retryAfter == nil)
    }
}
