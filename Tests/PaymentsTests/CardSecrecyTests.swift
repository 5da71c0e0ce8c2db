import Commerce
import Foundation
import Payments
import PaymentsAPI
import ServiceKit
import Storage
import Telemetry
import TestSupport
import Testing

/// The card number and verification code are never stored or logged: not in the database file, its log or its
/// shared memory, not in a stored reply or event, not in a log line.
@Suite struct CardSecrecyTests {
    /// The numbers sent, as typed: none may appear anywhere.
    static let numbers = [TestCard.visa, TestCard.refundsFail, TestCard.insufficientFunds, "4242 4242 4242 4242", "4242424242424241"]

    @Test func theCardNumberIsNeverStoredOrLogged() async throws {
        let logs = LogOutput.memory()
        let directory = try await PaymentsFixture.with(logs: logs) { fixture async throws in
            let visa = try await fixture.authorize("o-1", TestCard.visa, cvc: "987")
            _ = try await fixture.capture(visa.id)
            _ = try await fixture.refund(visa.id, 1000)
            let failing = try await fixture.authorize("o-2", TestCard.refundsFail, cvc: "987")
            _ = try await fixture.capture(failing.id)
            _ = try await fixture.refund(failing.id)
            _ = try await fixture.authorize("o-3", "4242 4242 4242 4242", cvc: "987")
            _ = try await fixture.authorize("o-4", TestCard.insufficientFunds, cvc: "987")
            await #expect(throws: PaymentsError.invalidCard("fails the Luhn check", field: "card.number")) {
                try await fixture.authorize("o-5", "4242424242424241", cvc: "987")
            }
            let subscription = SubscriptionRequest(customerId: "c-1", plan: .plus, card: card(TestCard.visa, cvc: "987"))
            _ = try await fixture.payments.subscribe(fixture.request(subscription))
            // The refund fails, and a month later the subscription renews: the background work logs too.
            try await fixture.advance(by: .seconds(60))
            try await fixture.advance(by: .seconds(28 * 86_400))
            #expect(try await fixture.payments.subscription("c-1").currentPeriodStart > PaymentsFixture.start)

            // Every stored reply and event holds a card summary, never a number or code.
            let blobs = try await fixture.harness.database.read { connection in
                try connection.query("SELECT response AS blob FROM idempotency_keys UNION ALL SELECT data FROM outbox").map {
                    try $0["blob"] as Data?
                }
            }
            #expect(blobs.count > 10)
            for blob in blobs.compactMap({ $0 }) {
                let text = String(decoding: blob, as: UTF8.self)
                #expect(!text.contains("\"cvc\"") && !text.contains("\"number\""), "\(text)")
                #expect(text.contains("\"last4\""), "\(text)")
            }
            try Self.expectNoNumber(in: fixture.harness.directory, while: "running")
            return fixture.harness.directory
        }
        // Closed, the log is checkpointed into the file: still nothing.
        try Self.expectNoNumber(in: directory, while: "closed")

        let lines = logs.recordedLines
        for message in [
            "payment authorised", "authorisation declined", "payment captured", "payment refunded", "refund failed", "subscription renewed",
        ] {
            #expect(lines.contains { $0.contains(message) }, "no line says \(message)")
        }
        for line in lines {
            for number in Self.numbers { #expect(!line.contains(number), "\(line)") }
            #expect(!line.contains("cvc"), "\(line)")
        }
    }

    /// Reads every file of `directory` (the database, its write-ahead log and shared memory) as bytes.
    static func expectNoNumber(in directory: TemporaryDirectory, while state: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(files.contains("payments.sqlite"))
        if state == "running" { #expect(files.contains("payments.sqlite-wal")) }
        for file in files {
            let bytes = try Data(contentsOf: directory.url.appendingPathComponent(file))
            for number in numbers {
                #expect(bytes.range(of: Data(number.utf8)) == nil, "\(file) holds \(number) (\(state))")
            }
        }
    }
}
