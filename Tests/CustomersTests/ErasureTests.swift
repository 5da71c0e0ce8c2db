import Commerce
import CustomersAPI
import Foundation
import PaymentsAPI
import ServiceKit
import Storage
import TestSupport
import Testing

@Suite struct ErasureTests {
    /// Every file under `directory`, recursively, with its bytes.
    static func files(under directory: URL) throws -> [(path: String, bytes: [UInt8])] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [(String, [UInt8])] = []
        for case let url as URL in walker where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            found.append((url.path, Array(try Data(contentsOf: url))))
        }
        return found
    }

    /// The files under `directory` holding `text`'s UTF-8 bytes.
    static func files(under directory: URL, containing text: String) throws -> [String] {
        let needle = Array(text.utf8)
        return try files(under: directory).filter { file in
            file.bytes.count >= needle.count
                && (0...(file.bytes.count - needle.count)).contains { start in file.bytes[start..<start + needle.count].elementsEqual(needle) }
        }.map(\.path)
    }

    @Test func aDeletedAccountLeavesNothingOfThePersonInAnyFile() async throws {
        let email = "zoe.mueller@example.com"
        let name = "Zoë Müller"
        try await CustomersFixture.with { fixture in
            let customers = fixture.customers
            try await fixture.register("c-zoe", email: email)
            try await fixture.register("c-other", email: "other@example.com")
            _ = try await customers.updateProfile(
                ProfileUpdate(customerId: "c-zoe", displayName: name, phone: "+49 30 1234567", marketingOptIn: true)
            )
            let address = Address(name: name, line1: "Zoës Weg 1", city: "Berlin", postalCode: "10115", country: "DE")
            _ = try await customers.addAddress(NewAddress(customerId: "c-zoe", address: address))
            let others = Address(name: "Other Person", line1: "Anderer Weg 2", city: "Berlin", postalCode: "10117", country: "DE")
            _ = try await customers.addAddress(NewAddress(customerId: "c-other", address: others))
            try await fixture.publish(try authorized("o-1", by: "c-zoe"))
            try await fixture.publish(try refunded("o-1", 1200), try shipped("o-1"))
            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription("c-zoe", .active)), "c-zoe"))
            try await fixture.publish(try membership(SubscriptionLapsed(subscription: subscription("c-zoe", .lapsed)), "c-zoe"))
            #expect(try await fixture.feed("c-zoe").count == 6)
            let directory = fixture.harness.directory.url
            // Before: the person is in the database and the spool, so the scan below can see them.
            #expect(try Self.files(under: directory, containing: email).contains { $0.hasSuffix(".eml") })
            #expect(!(try Self.files(under: directory, containing: email).filter { $0.contains("customers.sqlite") }.isEmpty))
            #expect(!(try Self.files(under: directory, containing: name).isEmpty))

            let deletion = try deleted("c-zoe")
            try await fixture.publish(deletion)

            #expect(try Self.files(under: directory, containing: email) == [])
            #expect(try Self.files(under: directory, containing: name) == [])
            #expect(try Self.files(under: directory, containing: "Zoës Weg") == [])
            #expect(try Self.files(under: directory).contains { $0.path.hasSuffix("customers.sqlite") })
            await #expect(throws: CustomersError.profileNotFound("c-zoe")) { try await customers.profile("c-zoe") }
            #expect(try await fixture.feed("c-zoe").isEmpty)
            #expect(try await customers.addresses("c-zoe").isEmpty)
            #expect(try await customers.customerData("c-zoe") == CustomerData(profile: nil, addresses: [], notifications: []))
            // The other customer keeps everything, mail included.
            #expect(try await customers.addresses("c-other").count == 1)
            let feed = try await fixture.feed("c-other")
            #expect(try fixture.mailFiles() == Set(feed.map { "\($0.id.rawValue).eml" }))

            // Redelivered, and followed by what Payments sends when the account goes: nothing comes back.
            try await fixture.publish(deletion)
            try await fixture.publish(try registered("c-zoe", email: email))
            try await fixture.publish(try membership(SubscriptionCancelled(subscription: subscription("c-zoe", .canceled)), "c-zoe"))
            try await fixture.publish(try refunded("o-1", 100), try shipped("o-1"))
            await #expect(throws: CustomersError.profileNotFound("c-zoe")) { try await customers.profile("c-zoe") }
            #expect(try await fixture.feed("c-zoe").isEmpty)
            let left = try await fixture.harness.database.read { connection in
                try ["profile", "membership", "address", "notification", "mail", "order_customer"].map { table in
                    try connection.scalar(Int.self, "SELECT count(*) FROM \(table) WHERE customer_id = 'c-zoe'") ?? -1
                }
            }
            #expect(left == [0, 0, 0, 0, 0, 0])
            #expect(try Self.files(under: directory, containing: email) == [])
            #expect(try await fixture.deadLetters() == 0)
        }
    }
}
