import Commerce
import CustomersAPI
import ServiceKit
import TestSupport
import Testing

@Suite struct AddressBookTests {
    static func address(_ name: String, _ postalCode: String = "10115") -> Address {
        Address(name: name, line1: "Hauptstraße 1", city: "Berlin", postalCode: postalCode, country: "DE")
    }

    @Test func theDefaultFollowsTheRules() async throws {
        try await CustomersFixture.with { fixture in
            let book = fixture.customers
            try await fixture.register("c-1", email: "anna@example.com")

            // The first address becomes the default, asked or not; the second does not.
            let home = try await book.addAddress(NewAddress(customerId: "c-1", address: Self.address("Home")))
            #expect(home.isDefault)
            #expect(home.id.rawValue.hasPrefix("adr_") && home.id.rawValue.count == 24)
            let office = try await book.addAddress(NewAddress(customerId: "c-1", address: Self.address("Office")))
            #expect(!office.isDefault)
            #expect(try await book.addresses("c-1").map(\.address.name) == ["Home", "Office"])

            // A new default unsets the old one; the book lists the default first, then the newest.
            let parents = try await book.addAddress(NewAddress(customerId: "c-1", address: Self.address("Parents"), isDefault: true))
            #expect(parents.isDefault)
            #expect(try await book.addresses("c-1").map(\.address.name) == ["Parents", "Office", "Home"])
            #expect(try await book.addresses("c-1").filter(\.isDefault).count == 1)

            // Changing an address makes it the default when asked.
            let moved = try await book.updateAddress(
                AddressChange(customerId: "c-1", addressId: office.id, address: Self.address("Office", "80331"), isDefault: true)
            )
            #expect(moved.isDefault && moved.address.postalCode == "80331" && moved.createdAt == office.createdAt)
            #expect(try await book.addresses("c-1").map(\.address.name) == ["Office", "Parents", "Home"])
            #expect(try await book.address(AddressReference(customerId: "c-1", addressId: parents.id)).isDefault == false)

            // Not asking on the default keeps it the default: a book always has one.
            let kept = try await book.updateAddress(
                AddressChange(customerId: "c-1", addressId: office.id, address: Self.address("Work"), isDefault: false)
            )
            #expect(kept.isDefault && kept.address.name == "Work")

            // Deleting the default makes the newest remaining address the default.
            let rest = try await book.deleteAddress(AddressReference(customerId: "c-1", addressId: office.id))
            #expect(rest.map(\.address.name) == ["Parents", "Home"])
            #expect(rest.map(\.isDefault) == [true, false])
            // Deleting it again finds nothing and changes nothing.
            await #expect(throws: CustomersError.addressNotFound(office.id)) {
                try await book.deleteAddress(AddressReference(customerId: "c-1", addressId: office.id))
            }
            #expect(try await book.deleteAddress(AddressReference(customerId: "c-1", addressId: home.id)).map(\.address.name) == ["Parents"])
            #expect(try await book.deleteAddress(AddressReference(customerId: "c-1", addressId: parents.id)).isEmpty)

            // A refused address names every field and is not stored.
            await #expect(
                throws: CustomersError.invalidAddress([
                    FieldError(field: "name", message: "is required"),
                    FieldError(field: "postalCode", message: "must be a postal code of DE, like 10115"),
                ])
            ) { try await book.addAddress(NewAddress(customerId: "c-1", address: Self.address("", "1011"))) }
            #expect(try await book.addresses("c-1").isEmpty)
        }
    }

    @Test func aBookHoldsTwentyAddresses() async throws {
        try await CustomersFixture.with { fixture in
            try await fixture.register("c-1", email: "anna@example.com")
            for number in 1...20 {
                _ = try await fixture.customers.addAddress(NewAddress(customerId: "c-1", address: Self.address("Address \(number)")))
            }
            await #expect(throws: CustomersError.addressBookFull(limit: 20)) {
                try await fixture.customers.addAddress(NewAddress(customerId: "c-1", address: Self.address("One more")))
            }
            let book = try await fixture.customers.addresses("c-1")
            #expect(book.count == 20)
            #expect(book.first?.address.name == "Address 1" && book.first?.isDefault == true)
            #expect(book.dropFirst().first?.address.name == "Address 20")

            // Room again after a delete.
            _ = try await fixture.customers.deleteAddress(AddressReference(customerId: "c-1", addressId: book[5].id))
            #expect(
                try await fixture.customers.addAddress(NewAddress(customerId: "c-1", address: Self.address("One more"))).address.name == "One more"
            )
        }
    }

    @Test func anotherCustomersAddressIsNotFoundForEveryOperation() async throws {
        try await CustomersFixture.with { fixture in
            let book = fixture.customers
            try await fixture.register("c-anna", email: "anna@example.com")
            try await fixture.register("c-ben", email: "ben@example.com")
            let annas = try await book.addAddress(NewAddress(customerId: "c-anna", address: Self.address("Anna")))
            _ = try await book.addAddress(NewAddress(customerId: "c-ben", address: Self.address("Ben")))

            let asBen = AddressReference(customerId: "c-ben", addressId: annas.id)
            let missing = AddressReference(customerId: "c-ben", addressId: "adr_doesnotexist0000000")
            for reference in [asBen, missing] {
                await #expect(throws: CustomersError.addressNotFound(reference.addressId)) { try await book.address(reference) }
                await #expect(throws: CustomersError.addressNotFound(reference.addressId)) {
                    try await book.updateAddress(
                        AddressChange(customerId: "c-ben", addressId: reference.addressId, address: Self.address("Taken"), isDefault: true)
                    )
                }
                await #expect(throws: CustomersError.addressNotFound(reference.addressId)) { try await book.deleteAddress(reference) }
            }
            // The same answer and words whether the id exists or not.
            #expect(CustomersError.addressNotFound(annas.id).problemType == "address-not-found")

            // Anna's address is untouched, Ben's book holds only his.
            #expect(try await book.addresses("c-anna") == [annas])
            #expect(try await book.address(AddressReference(customerId: "c-anna", addressId: annas.id)) == annas)
            #expect(try await book.addresses("c-ben").map(\.address.name) == ["Ben"])
            #expect(try await book.customerData("c-ben").addresses.map(\.address.name) == ["Ben"])
        }
    }
}
