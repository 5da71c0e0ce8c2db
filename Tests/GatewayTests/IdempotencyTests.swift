import Foundation
import Gateway
import HTTP
import Messaging
import ServiceKit
import Storage
import Synchronization
import TestSupport
import Testing

/// A charges service whose one endpoint honours idempotency keys, kept in a real SQLite file.
private struct ChargeRequest: Codable, Sendable, Hashable {
    var amount: Int
    var note: String
}

private struct Charge: Codable, Sendable, Hashable {
    var id: String
    var amount: Int
    var createdAt: Date
}

private enum ChargesError: ServiceFailure {
    case declined

    var problemType: String { "card-declined" }
    var detail: String { "The card was declined." }
}

private enum ChargesEndpoints {
    // A long timeout: the concurrency test holds a first request open while it sends the second.
    static let charge = Endpoint<IdempotentRequest<ChargeRequest>, IdempotentReply<Charge>>(
        "charges.create",
        timeout: .seconds(30),
        failure: ChargesError.self
    )
}

/// The charges service: its database, the handler's run count, and a gate that requests noted `wait` stop at.
// @unchecked: its one non-Sendable part, the TemporaryDirectory, is never changed after it is created.
private struct ChargesService: @unchecked Sendable {
    let directory: TemporaryDirectory
    let database: Database
    let keys: IdempotencyKeys
    let runs = RunCounter()
    let gate = Gate()

    init() throws {
        directory = try TemporaryDirectory()
        database = try Database(path: directory.path("charges.sqlite"))
        var migrator = Migrator()
        IdempotencySchema.register(in: &migrator)
        migrator.add("charges-1-charge", sql: "CREATE TABLE charge (id TEXT PRIMARY KEY, amount INTEGER NOT NULL)")
        try migrator.migrate(database)
        keys = IdempotencyKeys(database: database)
    }

    var instance: ServiceInstance {
        var handlers = EndpointHandlers()
        handlers.register(ChargesEndpoints.charge) { request in
            try await keys.run(request, for: ChargesEndpoints.charge) { body, completion in
                runs.increment()
                if body.note == "wait" { await gate.wait() }
                if body.note == "decline" { throw ChargesError.declined }
                // A fresh id and a date with fractional seconds: a re-run could not produce the same bytes.
                let charge = Charge(id: UUID().uuidString, amount: body.amount, createdAt: Date())
                return try await database.write { connection in
                    try connection.execute("INSERT INTO charge (id, amount) VALUES (?, ?)", [charge.id, charge.amount])
                    try completion.record(charge, in: connection)
                    return charge
                }
            }
        }
        return ServiceInstance(service: "charges", id: "charges-1", version: "1.0.0", address: .inProcess(handlers))
    }

    var runCount: Int { runs.value }
}

private final class RunCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite struct IdempotencyTests {
    private static func routes(_ gateway: inout Gateway, _ parts: GatewayHarnessParts) {
        gateway.route(.post, "/api/v1/charges", to: ChargesEndpoints.charge, access: .authenticated(nil), status: .created) {
            try $0.decodeBody(ChargeRequest.self)
        }
        gateway.route(.post, "/api/v1/public-charges", to: ChargesEndpoints.charge, status: .created) {
            try $0.decodeBody(ChargeRequest.self)
        }
        // The reply decides: a large charge is remembered, and answered as a 402 problem naming it.
        struct Refusal: Encodable { var chargeId: String }
        gateway.route(
            .post,
            "/api/v1/judged-charges",
            to: ChargesEndpoints.charge,
            access: .authenticated(nil),
            respond: { charge, _ in
                guard charge.amount > 1000 else { return ReplyResponse(status: .accepted, headers: ["Location": "/api/v1/charges/\(charge.id)"]) }
                let problem = Problem(status: .paymentRequired, type: Problem.type("too-large"), detail: "The charge is too large.")
                return ReplyResponse(
                    status: .paymentRequired,
                    body: .problem(try! ExtendedProblem(problem, extensions: Refusal(chargeId: charge.id)))
                )
            },
            map: { try $0.decodeBody(ChargeRequest.self) }
        )
    }

    /// Runs `body` against a gateway with the charge routes and a charges service behind them.
    private static func withCharges(_ body: (GatewayHarness, ChargesService) async throws -> Void) async throws {
        let charges = try ChargesService()
        try await GatewayHarness.with(configure: routes) { harness in
            harness.registry.register(charges.instance)
            try await body(harness, charges)
        }
    }

    private static func headers(key: String?, token: String? = "customer-token") -> HTTPHeaders {
        var headers: HTTPHeaders = [:]
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let key { headers.add(name: "Idempotency-Key", value: key) }
        return headers
    }

    @Test func aReplayIsTheFirstResponseByteForByteAndSaysSo() async throws {
        try await Self.withCharges { harness, charges in
            let request = #"{"amount":500,"note":"lamp"}"#
            let first = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1"), body: request)
            #expect(first.status == .created)
            #expect(first.headers.first(name: "Idempotent-Replayed") == nil)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let charge = try decoder.decode(Charge.self, from: Data(first.body))
            #expect(charge.amount == 500)

            // The same request, written differently (other key order, spaces): the same operation.
            let replay = try await harness.send(
                .post,
                "/api/v1/charges",
                headers: Self.headers(key: "k-1"),
                body: #"{ "note": "lamp", "amount": 500 }"#
            )
            #expect(replay.status == .created)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(replay.body == first.body)
            #expect(replay.headers.first(name: "Content-Type") == "application/json")
            #expect(charges.runCount == 1)
        }
    }

    @Test func theSameKeyWithAnotherBodyIs422() async throws {
        try await Self.withCharges { harness, charges in
            _ = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1"), body: #"{"amount":500,"note":"lamp"}"#)
            let other = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1"), body: #"{"amount":900,"note":"lamp"}"#)
            #expect(other.status == .unprocessableContent)
            #expect(other.problem?.detail == IdempotencyFailure.keyReused.description)
            #expect(charges.runCount == 1)
        }
    }

    @Test func theSameKeyWhileTheFirstRequestRunsIs409() async throws {
        try await Self.withCharges { harness, charges in
            let request = #"{"amount":500,"note":"wait"}"#
            let firstConnection = try await harness.connect()
            let first = Task {
                try await firstConnection.send(
                    .post,
                    "/api/v1/charges",
                    headers: Self.headers(key: "k-1").adding("Content-Type", "application/json"),
                    body: Array(request.utf8)
                )
            }
            try await waitUntil("the first request reaches the handler") { charges.gate.arrivals == 1 }

            let concurrent = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1"), body: request)
            #expect(concurrent.status == .conflict)
            #expect(concurrent.headers.first(name: "Retry-After") == "1")
            #expect(concurrent.problem?.detail == IdempotencyFailure.inProgress.description)

            charges.gate.open()
            let answer = try await first.value
            await firstConnection.close()
            #expect(answer.status == .created)
            let replay = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1"), body: request)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(replay.body == answer.body)
            #expect(charges.runCount == 1)
        }
    }

    @Test func aMissingOrMalformedKeyIs400AndNothingRuns() async throws {
        try await Self.withCharges { harness, charges in
            let body = #"{"amount":500,"note":"lamp"}"#
            let missing = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: nil), body: body)
            #expect(missing.status == .badRequest)
            #expect(missing.problem?.detail?.contains("Idempotency-Key") == true)
            let long = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: String(repeating: "k", count: 256)), body: body)
            #expect(long.status == .badRequest)
            #expect(long.problem?.detail == IdempotencyFailure.invalidKey.description)
            var twice = Self.headers(key: "k-1")
            twice.add(name: "Idempotency-Key", value: "k-2")
            #expect(try await harness.send(.post, "/api/v1/charges", headers: twice, body: body).status == .badRequest)
            let longest = Self.headers(key: String(repeating: "k", count: 255))
            #expect(try await harness.send(.post, "/api/v1/charges", headers: longest, body: body).status == .created)
            #expect(charges.runCount == 1)
        }
    }

    @Test func keysBelongToTheirCaller() async throws {
        try await Self.withCharges { harness, charges in
            let body = #"{"amount":500,"note":"lamp"}"#
            let alice = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1", token: "customer-token"), body: body)
            let root = try await harness.send(.post, "/api/v1/charges", headers: Self.headers(key: "k-1", token: "admin-token"), body: body)
            let anonymous = try await harness.send(.post, "/api/v1/public-charges", headers: Self.headers(key: "k-1", token: nil), body: body)
            for response in [alice, root, anonymous] {
                #expect(response.status == .created)
                #expect(response.headers.first(name: "Idempotent-Replayed") == nil)
            }
            #expect(Set([alice.body, root.body, anonymous.body]).count == 3)
            #expect(charges.runCount == 3)
        }
    }

    @Test func aReplyCanDecideTheStatusAndBeAProblemWithExtensionMembersAlsoWhenReplayed() async throws {
        try await Self.withCharges { harness, charges in
            let accepted = try await harness.send(
                .post,
                "/api/v1/judged-charges",
                headers: Self.headers(key: "k-1"),
                body: #"{"amount":5,"note":"a"}"#
            )
            #expect(accepted.status == .accepted)
            #expect(accepted.headers.first(name: "Location")?.hasPrefix("/api/v1/charges/") == true)
            #expect(accepted.headers.first(name: "Content-Type") == "application/json")
            let refused = try await harness.send(
                .post,
                "/api/v1/judged-charges",
                headers: Self.headers(key: "k-2"),
                body: #"{"amount":5000,"note":"a"}"#
            )
            #expect(refused.status == .paymentRequired)
            #expect(refused.headers.first(name: "Content-Type") == Problem.contentType)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(refused.body)) as? [String: Any])
            #expect(object["type"] as? String == "urn:emporium:problem:too-large")
            #expect(object["detail"] as? String == "The charge is too large.")
            #expect(object["instance"] as? String == "/api/v1/judged-charges")
            #expect((object["chargeId"] as? String)?.isEmpty == false)
            let replay = try await harness.send(
                .post,
                "/api/v1/judged-charges",
                headers: Self.headers(key: "k-2"),
                body: #"{"amount":5000,"note":"a"}"#
            )
            #expect(replay.status == .paymentRequired)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            let again = try #require(try JSONSerialization.jsonObject(with: Data(replay.body)) as? [String: Any])
            #expect(again["chargeId"] as? String == object["chargeId"] as? String)
            #expect(charges.runCount == 2)
        }
    }

    @Test func aFailedOperationCanBeRetriedWithItsKey() async throws {
        try await Self.withCharges { harness, charges in
            let declined = try await harness.send(
                .post,
                "/api/v1/charges",
                headers: Self.headers(key: "k-1"),
                body: #"{"amount":500,"note":"decline"}"#
            )
            #expect(declined.status == .unprocessableContent)
            let again = try await harness.send(
                .post,
                "/api/v1/charges",
                headers: Self.headers(key: "k-1"),
                body: #"{"amount":500,"note":"decline"}"#
            )
            #expect(again.status == .unprocessableContent)
            #expect(again.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(charges.runCount == 2, "a failure is not stored: the retry ran the operation again")
        }
    }
}

extension HTTPHeaders {
    /// The fields with one more.
    fileprivate func adding(_ name: String, _ value: String) -> HTTPHeaders {
        var headers = self
        headers.add(name: name, value: value)
        return headers
    }
}
