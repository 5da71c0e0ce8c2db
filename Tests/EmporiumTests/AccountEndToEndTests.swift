import Commerce
import CustomersAPI
import Emporium
import Foundation
import HTTP
import IdentityAPI
import PaymentsAPI
import ServiceKit
import TestSupport
import Testing

extension WholeSystem {
    /// A customer's account across modules over HTTP: profile, addresses, membership, the export of everything held
    /// about them, and the erasure of it all.
    @Suite struct AccountEndToEndTests {
        static let password = "correct horse battery"

        /// Registers and logs in; returns the access token and the user id.
        static func customer(_ shop: ShopHarness, _ email: String) async throws -> (token: String, id: String) {
            let registered = try await shop.send(.post, "/api/v1/auth/register", json: ["email": email, "password": password])
            let user = try shop.decode(UserBody.self, from: registered, status: 201)
            return (try await shop.login(email, password), user.id)
        }

        static let address: [String: String] = [
            "name": "Erasmus Vanderloo", "line1": "Keizersgracht 123", "city": "Amsterdam", "postalCode": "1015cj", "country": "nl",
        ]

        @Test func aCustomersDataIsExportedAndThenErasedFromEveryModule() async throws {
            try await ShopHarness.with { shop in
                let email = "erasmus.vanderloo@example.com"
                let (token, id) = try await Self.customer(shop, email)
                let profile = try shop.decode(CustomerProfile.self, from: try await shop.send(.get, "/api/v1/me/profile", token: token))
                #expect(profile.email == email)
                let renamed = try await shop.send(
                    .put,
                    "/api/v1/me/profile",
                    token: token,
                    json: ProfileBody(displayName: "Erasmus Vanderloo", phone: "+31 20 123 4567", marketingOptIn: true)
                )
                #expect(try shop.decode(CustomerProfile.self, from: renamed).displayName == "Erasmus Vanderloo")
                let saved = try shop.decode(
                    SavedAddress.self,
                    from: try await shop.send(.post, "/api/v1/me/addresses", token: token, json: Self.address),
                    status: 201
                )
                #expect(saved.address.postalCode == "1015 CJ")
                #expect(saved.address.country == "NL")
                #expect(saved.isDefault)

                // Membership, paid with a card whose number never comes back.
                let subscribed = try await shop.send(
                    .post,
                    "/api/v1/me/subscription",
                    token: token,
                    headers: ["Idempotency-Key": "join-plus-1"],
                    json: SubscribeBody(plan: "plus", card: CardBody(number: "4242424242424242", expMonth: 12, expYear: 2031, cvc: "123"))
                )
                let subscription = try shop.decode(Subscription.self, from: subscribed, status: 201)
                #expect(subscription.status == .active)
                #expect(subscription.card.last4 == "4242")
                try await waitUntil("the profile shows the membership") {
                    try shop.decode(CustomerProfile.self, from: try await shop.send(.get, "/api/v1/me/profile", token: token)).membership.status
                        == .active
                }

                let exported = try await shop.send(.get, "/api/v1/me/export", token: token)
                #expect(exported.status == .ok, "\(exported.text)")
                #expect(!exported.text.contains("4242424242424242"))
                let export = try shop.decode(ExportBody.self, from: exported)
                #expect(export.user.email == email)
                #expect(export.profile?.displayName == "Erasmus Vanderloo")
                #expect(export.addresses.map(\.id) == [saved.id])
                #expect(export.payments.subscription?.id == subscription.id)
                #expect(export.payments.payments.count == 1)
                #expect(export.payments.payments.first?.card?.last4 == "4242")
                #expect(!export.notifications.isEmpty)

                // Deleting the account: its token stops working at once, and every module erases its part.
                let directory = URL(fileURLWithPath: shop.directory.path("data"))
                let holders = try Self.files(holding: [email, "Vanderloo"], under: directory)
                #expect(holders.contains { $0.hasPrefix("identity.sqlite") } && holders.contains { $0.hasPrefix("customers.sqlite") }, "\(holders)")
                #expect(holders.contains { $0.hasSuffix(".eml") }, "\(holders)")
                let deleted = try await shop.send(.delete, "/api/v1/me", token: token)
                #expect(deleted.status == .accepted, "\(deleted.text)")
                #expect(try await shop.send(.get, "/api/v1/me", token: token).status == .unauthorized)
                #expect(try await shop.send(.get, "/api/v1/me/profile", token: token).status == .unauthorized)
                try await waitUntil("no file of any module holds the e-mail address or the name", timeout: .seconds(20)) {
                    try await shop.system.hasSettled()
                        && Self.files(holding: [email, "Erasmus Vanderloo", "Vanderloo"], under: directory).isEmpty
                }
                // Payments are kept for accounting, without the person; the membership was cancelled.
                let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
                let page = try shop.decode(PaymentPage.self, from: try await shop.send(.get, "/api/v1/admin/payments?customerId=\(id)", token: admin))
                #expect(page.items.count == 1)
                let payments = PaymentsClient(client: shop.system.client)
                #expect(try await payments.subscription(CustomerID(rawValue: id)).status == .canceled)
                // An administrator cannot delete their own account through the API.
                #expect(try await shop.send(.delete, "/api/v1/me", token: admin).status == .forbidden)
            }
        }

        @Test func anotherCustomersAddressIsNotFoundOnEveryRoute() async throws {
            try await ShopHarness.with { shop in
                let ada = try await Self.customer(shop, "ada@example.com")
                let bob = try await Self.customer(shop, "bob@example.com")
                let saved = try shop.decode(
                    SavedAddress.self,
                    from: try await shop.send(.post, "/api/v1/me/addresses", token: ada.token, json: Self.address),
                    status: 201
                )
                let path = "/api/v1/me/addresses/\(saved.id.rawValue)"
                var change = Self.address
                change["city"] = "Utrecht"
                for (method, body) in [(HTTPMethod.put, change as [String: String]?), (.delete, nil)] {
                    let response = try await shop.send(method, path, token: bob.token, json: body)
                    #expect(response.status == .notFound, "\(method) \(response.text)")
                    #expect(response.text.contains("urn:emporium:problem:address-not-found"))
                }
                let unknown = try await shop.send(.delete, "/api/v1/me/addresses/adr_nothing", token: bob.token)
                #expect(unknown.status == .notFound)
                // An unknown id and another customer's answer alike: existence is not revealed.
                #expect(unknown.text.contains("urn:emporium:problem:address-not-found"))
                #expect(try shop.decode([SavedAddress].self, from: try await shop.send(.get, "/api/v1/me/addresses", token: bob.token)).isEmpty)
                // Ada's address is untouched.
                let hers = try shop.decode([SavedAddress].self, from: try await shop.send(.get, "/api/v1/me/addresses", token: ada.token))
                #expect(hers == [saved])
                #expect(try await shop.send(.delete, path, token: ada.token).status == .noContent)
            }
        }

        @Test func aDeclinedCardAnswers402WithItsCodeAndAnInvalidAddressListsEveryField() async throws {
            try await ShopHarness.with { shop in
                let ada = try await Self.customer(shop, "ada@example.com")
                let declined = try await shop.send(
                    .post,
                    "/api/v1/me/subscription",
                    token: ada.token,
                    headers: ["Idempotency-Key": "join-1"],
                    json: SubscribeBody(plan: "plus", card: CardBody(number: "4000000000009995", expMonth: 12, expYear: 2031, cvc: "123"))
                )
                #expect(declined.status.code == 402, "\(declined.text)")
                #expect(declined.text.contains("urn:emporium:problem:card-declined"))
                #expect(declined.text.contains("insufficient_funds"))
                #expect(try await shop.send(.get, "/api/v1/me/subscription", token: ada.token).status == .notFound)
                let invalid = try await shop.send(
                    .post,
                    "/api/v1/me/addresses",
                    token: ada.token,
                    json: ["name": "", "line1": "Somewhere 1", "city": "Berlin", "postalCode": "1234", "country": "XX"]
                )
                #expect(invalid.status.code == 422, "\(invalid.text)")
                for field in ["\"name\"", "\"country\""] { #expect(invalid.text.contains(field), "\(field) in \(invalid.text)") }
            }
        }

        /// The files under `directory` (recursively) that contain any of `needles`, as UTF-8 bytes.
        static func files(holding needles: [String], under directory: URL) throws -> [String] {
            var found: [String] = []
            let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                let bytes = try Data(contentsOf: url)
                if needles.contains(where: { bytes.range(of: Data($0.utf8)) != nil }) { found.append(url.lastPathComponent) }
            }
            return found
        }
    }
}

struct ProfileBody: Encodable {
    var displayName: String
    var phone: String?
    var marketingOptIn: Bool
}

struct CardBody: Encodable {
    var number: String
    var expMonth: Int
    var expYear: Int
    var cvc: String
}

struct SubscribeBody: Encodable {
    var plan: String
    var card: CardBody
}

struct ExportBody: Decodable {
    var user: User
    var profile: CustomerProfile?
    var addresses: [SavedAddress]
    var notifications: [CustomersAPI.Notification]
    var payments: CustomerPayments
}
