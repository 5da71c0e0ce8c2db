import Commerce
import CustomersAPI
import Foundation
import IdentityAPI
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

@Suite struct ProfileTests {
    @Test func aRegistrationMakesOneProfileAndOneWelcomeHoweverOftenItArrives() async throws {
        try await CustomersFixture.with { fixture in
            let event = try registered("c-zoe", email: "zoe.mueller@example.com")
            try await fixture.publish(event)
            try await fixture.publish(event)

            let profile = try await fixture.customers.profile("c-zoe")
            #expect(
                profile
                    == CustomerProfile(
                        customerId: "c-zoe",
                        email: "zoe.mueller@example.com",
                        displayName: "zoe.mueller",
                        marketingOptIn: false,
                        membership: .none,
                        createdAt: CustomersFixture.now,
                        updatedAt: CustomersFixture.now
                    )
            )
            #expect(!profile.membership.isMember)
            let feed = try await fixture.feed("c-zoe")
            #expect(feed.map(\.topic) == ["account.welcome"])
            #expect(feed.first?.category == .transactional)
            #expect(feed.first?.body.hasPrefix("Hello zoe.mueller,\n\n") == true)
            #expect(try fixture.mailFiles() == ["\(try #require(feed.first).id.rawValue).eml"])
            #expect(try await fixture.deadLetters() == 0)
        }
    }

    @Test func aFirstCallBeforeTheRegistrationArrivedCreatesTheProfileFromIdentity() async throws {
        let lookups = CallRecorder<UserID>()
        var identity = MockIdentity()
        identity.onUser = { id in
            lookups.record(id)
            guard id == "c-new" else { throw IdentityError.userNotFound(id) }
            return User(id: id, email: "new@example.com", role: .customer, createdAt: CustomersFixture.now)
        }
        try await CustomersFixture.with(identity: identity) { fixture in
            let profile = try await fixture.customers.profile("c-new")
            #expect(profile.email == "new@example.com")
            #expect(profile.displayName == "new")
            #expect(lookups.values == ["c-new"])

            // The registration arrives afterwards: still one profile, one welcome.
            try await fixture.register("c-new", email: "new@example.com")
            #expect(try await fixture.customers.profile("c-new") == profile)
            #expect(try await fixture.topics("c-new") == ["account.welcome"])
            #expect(lookups.count == 1)

            // A user Identity does not know has no profile, and nothing is created for them.
            await #expect(throws: CustomersError.profileNotFound("c-ghost")) { try await fixture.customers.profile("c-ghost") }
            await #expect(throws: CustomersError.profileNotFound("c-ghost")) {
                try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-ghost", displayName: "Ghost", marketingOptIn: true))
            }
            let address = Address(name: "Ghost", line1: "Nowhere 1", city: "Berlin", postalCode: "10115", country: "DE")
            await #expect(throws: CustomersError.profileNotFound("c-ghost")) {
                try await fixture.customers.addAddress(NewAddress(customerId: "c-ghost", address: address))
            }
            #expect(try await fixture.customers.customerData("c-ghost") == CustomerData(profile: nil, addresses: [], notifications: []))
        }
    }

    @Test func anUpdateReplacesNameAndChoicesAfterValidation() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            let updated = try await fixture.customers.updateProfile(
                ProfileUpdate(customerId: "c-1", displayName: "  Anna Berg ", phone: "+49 30 1234567", marketingOptIn: true)
            )
            #expect(updated.displayName == "Anna Berg")
            #expect(updated.phone == "+49301234567")
            #expect(updated.marketingOptIn)
            #expect(updated.email == "anna@example.com")
            #expect(try await fixture.customers.profile("c-1") == updated)

            await #expect(
                throws: CustomersError.invalidProfile([
                    FieldError(field: "displayName", message: "is required"),
                    FieldError(field: "phone", message: "must be a phone number in international form, + and 6 to 15 digits, like +31 20 123 4567"),
                ])
            ) { try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-1", displayName: "", phone: "030", marketingOptIn: false)) }
            // Nothing changed by the refused update; a full replacement clears the phone.
            #expect(try await fixture.customers.profile("c-1") == updated)
            let cleared = try await fixture.customers.updateProfile(ProfileUpdate(customerId: "c-1", displayName: "Anna", marketingOptIn: false))
            #expect(cleared.phone == nil && !cleared.marketingOptIn && cleared.displayName == "Anna")
        }
    }

    @Test func anEventBeforeTheRegistrationFetchesTheCustomerOrWaitsForThem() async throws {
        var identity = MockIdentity()
        identity.onUser = { id in
            guard id == "c-early" else { throw IdentityError.userNotFound(id) }
            return User(id: id, email: "early@example.com", role: .customer, createdAt: CustomersFixture.now)
        }
        try await CustomersFixture.with(identity: identity) { fixture in
            // Payments' event overtook Identity's: the profile comes from Identity, then the notice.
            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription("c-early", .active)), "c-early"))
            #expect(try await fixture.topics("c-early") == ["account.welcome", "membership.started"])
            #expect(try await fixture.customers.profile("c-early").membership.isMember)

            // A customer Identity does not know yet: the membership is kept, nobody is notified, nothing fails.
            try await fixture.publish(try membership(SubscriptionStarted(subscription: subscription("c-late", .active)), "c-late"))
            #expect(try await fixture.feed("c-late").isEmpty)
            try await fixture.register("c-late", email: "late@example.com")
            #expect(try await fixture.customers.profile("c-late").membership.status == .active)
            #expect(try await fixture.topics("c-late") == ["account.welcome"])
            #expect(try await fixture.deadLetters() == 0)
        }
    }
}
