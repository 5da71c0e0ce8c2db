import Commerce
import Customers
import CustomersAPI
import Foundation
import ModuleKit
import PaymentsAPI
import ServiceKit
import Storage
import TestSupport
import Testing

@Suite struct MailSpoolTests {
    /// What Python's `email` package (policy `default`) reads from a message file.
    struct ParsedMail: Decodable {
        var from: String
        var toName: String
        /// The display name decoded as RFC 2047 6.2 says, white space between adjacent encoded words dropped: Python
        /// 3.11's address parser keeps it, and so splits a long name that needs several encoded words.
        var toNameDecoded: String
        var toAddress: String
        var subject: String
        var date: String
        var messageID: String
        var mimeVersion: String
        var contentType: String
        var charset: String
        var body: String
        var defects: Int
    }

    /// Python ended with an error; its output says which.
    struct PythonFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "python3 could not parse the mail: \(output)" }
    }

    /// Parses the message at `path` with Python's `email.message_from_binary_file`.
    static func parse(_ path: String) throws -> ParsedMail {
        let script = """
            import email, email.header, email.policy, json, sys
            with open(sys.argv[1], 'rb') as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
            with open(sys.argv[1], 'rb') as f:
                raw = email.message_from_binary_file(f, policy=email.policy.compat32)['To']
            phrase = raw[:raw.rindex('<')].strip()
            decoded = str(email.header.make_header(email.header.decode_header(phrase))) if phrase.startswith('=?') else None
            to = m['To'].addresses[0]
            print(json.dumps({
                'from': str(m['From']), 'toName': to.display_name, 'toNameDecoded': decoded or to.display_name, 'toAddress': to.addr_spec, 'subject': str(m['Subject']),
                'date': m['Date'].datetime.isoformat(), 'messageID': str(m['Message-ID']), 'mimeVersion': str(m['MIME-Version']),
                'contentType': m.get_content_type(), 'charset': m.get_content_charset(),
                'body': m.get_content().replace('\\r\\n', '\\n'),
                'defects': len(m.defects) + sum(len(m[h].defects) for h in ('To', 'Subject', 'Date', 'Message-ID')),
            }))
            """
        let run = try Subprocess.run("/usr/bin/env", ["python3", "-c", script, path])
        guard run.status == 0 else { throw PythonFailed(output: run.output) }
        return try JSONDecoder().decode(ParsedMail.self, from: Data(run.output.utf8))
    }

    /// The file's lines, split at CRLF; a bare CR or LF in it is a test issue.
    static func lines(of url: URL) throws -> [Substring] {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { !$0.contains("\r") && !$0.contains("\n") }, "only CRLF line endings")
        #expect(text.hasSuffix("\r\n"))
        return lines
    }

    @Test func aSpooledMessageReadsBackInPythonsEmailPackage() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-zoe", email: "zoe@example.com")
            _ = try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-zoe", displayName: "Zoë Müller", marketingOptIn: false))
            try await fixture.publish(try authorized("o-7", by: "c-zoe"))
            try await fixture.publish(try refunded("o-7", 1200))
            // A carrier with a name outside ASCII gives a subject outside ASCII.
            try await fixture.publish(try shipped("o-7", carrier: "Zustelldienst Müller & Söhne – Express Überseeversand"))

            let feed = try await fixture.feed("c-zoe")
            let refund = try #require(feed.first { $0.topic == "payment.refunded" })
            let url = fixture.mail(of: refund.id)
            let mail = try Self.parse(url.path)
            #expect(mail.toName == "Zoë Müller")
            #expect(mail.toAddress == "zoe@example.com")
            #expect(mail.from == "Emporium <shop@emporium.local>")
            #expect(mail.subject == "Refund of 12.00 EUR issued")
            #expect(mail.date == "2025-03-14T09:26:53+00:00")
            #expect(mail.messageID == "<\(refund.id.rawValue)@emporium.local>")
            #expect(mail.mimeVersion == "1.0")
            #expect(mail.contentType == "text/plain" && mail.charset == "utf-8")
            #expect(mail.body == refund.body + "\n")
            #expect(mail.body.hasPrefix("Hello Zoë Müller,\n\nwe have refunded 12.00 EUR for order o-7"))
            #expect(mail.defects == 0)
            let lines = try Self.lines(of: url)
            #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.filter { $0.utf8.count > 78 })")
            #expect(lines.contains("Date: Fri, 14 Mar 2025 09:26:53 +0000"))
            #expect(lines.contains("Content-Transfer-Encoding: quoted-printable"))
            #expect(lines.allSatisfy { $0.utf8.allSatisfy { $0 < 128 } }, "7-bit only")

            let shipment = try #require(feed.first { $0.topic == "shipment.shipped" })
            let shippedMail = try Self.parse(fixture.mail(of: shipment.id).path)
            #expect(shippedMail.subject == "Shipped with Zustelldienst Müller & Söhne – Express Überseeversand, tracking EP123456789012")
            #expect(shippedMail.subject == shipment.subject)
            #expect(shippedMail.body == shipment.body + "\n")
            #expect(shippedMail.defects == 0)
            #expect(try Self.lines(of: fixture.mail(of: shipment.id)).allSatisfy { $0.utf8.count <= 78 })
        }
    }

    @Test func displayNamesWithQuotesAndLongNamesSurviveTheHeader() async throws {
        try await CustomersFixture.with { fixture in
            let names = [
                #"Anna "Nan" O'Brien \ Jr."#,
                "Bartholomew Maximilian Fitzgerald-Montgomery of the Very Long Name Society",
                "Δημήτρης Παπαδόπουλος-Αλεξανδρόπουλος του Γεωργίου",
                "山田 太郎",
            ]
            for (index, name) in names.enumerated() {
                let customer = CustomerID(rawValue: "c-\(index)")
                try await fixture.register(customer, email: "person\(index)@example.com")
                _ = try await fixture.customers.updateProfile(ProfileUpdate(customerId: customer, displayName: name, marketingOptIn: false))
                try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription(customer, .active)), customer))
                let notice = try #require(try await fixture.feed(customer).first)
                let mail = try Self.parse(fixture.mail(of: notice.id).path)
                #expect(mail.toNameDecoded == name)
                // A name that fits one encoded word (or a quoted string) reads back in Python's address parser too.
                if name.utf8.count <= 42 || name.allSatisfy(\.isASCII) { #expect(mail.toName == name) }
                #expect(mail.toAddress == "person\(index)@example.com")
                #expect(mail.body.hasPrefix("Hello \(name),"))
                #expect(mail.defects == 0)
                #expect(try Self.lines(of: fixture.mail(of: notice.id)).allSatisfy { $0.utf8.count <= 78 })
            }
        }
    }

    @Test func mailACrashKeptFromItsFileIsWrittenByTheNextPass() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            let welcome = try #require(try await fixture.feed("c-1").first)
            let file = fixture.mail(of: welcome.id)
            #expect(FileManager.default.fileExists(atPath: file.path))

            // The state a crash between the notification's commit and its file leaves: recorded, not written.
            try FileManager.default.removeItem(at: file)
            try await fixture.harness.database.write { connection in
                try connection.execute("UPDATE mail SET written_us = NULL WHERE notification_id = ?", [welcome.id.rawValue])
            }
            try await fixture.clock.waitForSleepers(count: 1)
            fixture.clock.advance(by: .seconds(30))
            try await waitUntil("the spooler wrote the mail again") { FileManager.default.fileExists(atPath: file.path) }
            try await waitUntil("the mail is marked written") {
                try await fixture.harness.database.read { connection in
                    try connection.scalar(Int.self, "SELECT count(*) FROM mail WHERE written_us IS NULL") == 0
                }
            }
            #expect(try Self.parse(file.path).messageID == "<\(welcome.id.rawValue)@emporium.local>")
        }
    }

    @Test func pendingMailIsReadFromTheIndexOfUnwrittenRowsNotFoundAmongEveryNotification() async throws {
        try await CustomersFixture.with { fixture in
            let plan = try await fixture.harness.database.read { connection in
                try connection.query("EXPLAIN QUERY PLAN " + SQLiteCustomersService.pendingMailQuery).map { row -> String in try row["detail"] }
            }
            #expect(plan.contains { $0.contains("USING INDEX mail_unwritten") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN n") }, "\(plan)")
        }
    }

    @Test func withTheSpoolOffNotificationsStayInTheFeed() async throws {
        try await CustomersFixture.with(settings: ["customers.spool": "off", "customers.mail-from": "Shop <noreply@shop.example>"]) { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            #expect(try await fixture.topics("c-1") == ["account.welcome"])
            #expect(try fixture.mailFiles().isEmpty)
        }
        let refused = await #expect(throws: (any Error).self) {
            try await CustomersFixture.with(settings: ["customers.spool": "sometimes"]) { _ in }
        }
        #expect("\(refused.map { "\($0)" } ?? "")" == "customers.spool must be on or off, not 'sometimes'")
        let injected = await #expect(throws: (any Error).self) {
            try await CustomersFixture.with(settings: ["customers.mail-from": "Shop\r\nBcc: all@example.com <noreply@shop.example>"]) { _ in }
        }
        #expect("\(injected.map { "\($0)" } ?? "")".hasPrefix("customers.mail-from must be a name and an address in printable ASCII"))
    }
}
