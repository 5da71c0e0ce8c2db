import Emporium
import Foundation
import HTTP
import Security
import TestSupport
import Testing

extension WholeSystem {
    /// Who may do what, over every operation of `Docs/openapi.yaml`: the test reads the document, and the table below
    /// says for each operation how to call it and who may. An operation the document has and the table does not fails
    /// the test, so a new route needs a decision here.
    ///
    /// For every operation that takes a token: none (where one is required), an expired one, a tampered one (claims
    /// changed, signature kept), an `alg: none` one and one of a deleted account are each `401`; a customer on an
    /// administrator's route is `403`; the caller the route is for gets neither. Another customer naming the owner's
    /// order, address, cart line, address at checkout or spent guest-cart token gets `404` as for an unknown id
    /// (never `403`), nothing of the owner's comes back in any answer to them, and the owner's data is unchanged.
    @Suite struct AuthorizationTests {
        static let password = "correct horse battery"

        /// Who may call an operation.
        enum Access: Sendable {
            /// Anyone: no token is needed or looked at. The reason it is public.
            case anyone(String)
            /// Anyone, and a token that is sent must be valid. The reason a guest may.
            case guestOrCustomer(String)
            /// A customer's token (an administrator's includes the role).
            case customer
            /// An administrator's token.
            case admin

            /// The document's `security` for this access.
            var security: DocumentedOperation.Security {
                switch self {
                case .anyone: .none
                case .guestOrCustomer: .optional
                case .customer, .admin: .bearer
                }
            }
        }

        /// A request of the table; `body` is sent as JSON.
        struct Call: Sendable {
            var method: HTTPMethod
            var target: String
            var body: JSONText?
            var headers: HTTPHeaders = [:]
        }

        /// Another customer (or a guest) naming the owner's resource, and what they must get: `status` with the
        /// problem `slug` an unknown id gets, and nothing of `absent` in the body.
        struct Trespass: Sendable {
            var call: Call
            var asGuest = false
            var status = 404
            var slug: String?
            var absent: [String] = []
        }

        /// What the table knows of an operation.
        struct Rule: Sendable {
            var access: Access
            /// Not in the document yet (another branch adds it): skipped until it is, checked from then on.
            var upcoming = false
            /// Whether the test sends `call` as a caller the route is for (`false` when the setup made that call).
            var callsAsAllowed = true
            /// A request of a caller the route is for; its answer must be neither 401 nor 403 nor a 5xx.
            var call: @Sendable (Scene) -> Call
            /// Another customer naming the owner's resources.
            var trespasses: @Sendable (Scene) -> [Trespass] = { _ in [] }
        }

        /// The people and resources the table's calls name.
        struct Scene: Sendable {
            var admin: String
            /// The owner, whose resources the other customer names.
            var ada: Person
            /// The other customer.
            var bob: Person
            var adaAddress: String
            var adaOrder: String
            /// A product in Ada's cart now.
            var adaCartProduct: String
            /// The guest-cart token Ada had before she logged in, merged into her cart since.
            var adaSpentCartToken: String
            var bobAddress: String
            /// An address of Bob's that the allowed call of `DELETE /api/v1/me/addresses/{id}` deletes.
            var bobSpareAddress: String
            /// Refresh tokens of two more sessions of Bob's, for `refresh` and `logout`.
            var bobRefreshTokens: [String]
        }

        struct Person: Sendable {
            var token: String
            var id: String
            var email: String
        }

        static let card: JSONText = ["number": "4242424242424242", "expMonth": 12, "expYear": 2031, "cvc": "123"]
        static let address: JSONText = ["name": "Bob Other", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"]
        static let draft: JSONText = [
            "sku": "AUTHZ-PROBE-1", "name": "Probe Lamp", "description": "A lamp added to find out who may add products.",
            "price": ["minorUnits": 1999, "currency": "EUR"], "category": "lighting",
        ]

        static func key() -> HTTPHeaders { ["Idempotency-Key": UUID().uuidString] }

        /// The `Idempotency-Key`s of Ada's membership and purchase, which Bob sends too.
        static let adaSubscriptionKey = "ada-joins"
        static let adaCheckoutKey = "ada-buys"

        /// Every operation, keyed `METHOD /path/{param}` as in the document.
        static let rules: [String: Rule] = [
            // Identity: signing up and in is how a token is had; refresh and logout take their credential in the body.
            "POST /api/v1/auth/register": Rule(access: .anyone("signing up is how an account begins")) { _ in
                Call(
                    method: .post,
                    target: "/api/v1/auth/register",
                    body: ["email": .string("probe-\(UUID())@example.com"), "password": "correct horse battery"]
                )
            },
            "POST /api/v1/auth/login": Rule(access: .anyone("logging in is how a token is had")) { scene in
                Call(method: .post, target: "/api/v1/auth/login", body: ["email": .string(scene.bob.email), "password": .string(password)])
            },
            "POST /api/v1/auth/refresh": Rule(access: .anyone("the refresh token in the body is the credential")) { scene in
                Call(method: .post, target: "/api/v1/auth/refresh", body: ["token": .string(scene.bobRefreshTokens[0])])
            },
            "POST /api/v1/auth/logout": Rule(access: .anyone("the refresh token in the body is the credential")) { scene in
                Call(method: .post, target: "/api/v1/auth/logout", body: ["token": .string(scene.bobRefreshTokens[1])])
            },
            "GET /api/v1/me": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me") },
            // Sent in the setup: the deleted account whose token every operation refuses.
            "DELETE /api/v1/me": Rule(access: .customer, callsAsAllowed: false) { _ in Call(method: .delete, target: "/api/v1/me") },
            "GET /api/v1/me/export": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me/export") },

            // Customers: each route acts on the caller; another customer's address id is an unknown one.
            "GET /api/v1/me/profile": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me/profile") },
            "PUT /api/v1/me/profile": Rule(access: .customer) { _ in
                Call(method: .put, target: "/api/v1/me/profile", body: ["displayName": "Bob Other", "marketingOptIn": false])
            },
            "GET /api/v1/me/addresses": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me/addresses") },
            "POST /api/v1/me/addresses": Rule(access: .customer) { _ in Call(method: .post, target: "/api/v1/me/addresses", body: address) },
            "PUT /api/v1/me/addresses/{id}": Rule(
                access: .customer,
                call: { scene in Call(method: .put, target: "/api/v1/me/addresses/\(scene.bobAddress)", body: address) },
                trespasses: { scene in
                    [Trespass(call: Call(method: .put, target: "/api/v1/me/addresses/\(scene.adaAddress)", body: address), slug: "address-not-found")]
                }
            ),
            "DELETE /api/v1/me/addresses/{id}": Rule(
                access: .customer,
                call: { scene in Call(method: .delete, target: "/api/v1/me/addresses/\(scene.bobSpareAddress)") },
                trespasses: { scene in
                    [Trespass(call: Call(method: .delete, target: "/api/v1/me/addresses/\(scene.adaAddress)"), slug: "address-not-found")]
                }
            ),
            "GET /api/v1/me/notifications": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me/notifications") },

            // Catalog, search, availability: the shop window.
            "GET /api/v1/categories": Rule(access: .anyone("the shop window: the catalog's categories")) { _ in
                Call(method: .get, target: "/api/v1/categories")
            },
            "GET /api/v1/products": Rule(access: .anyone("the shop window: the catalog")) { _ in Call(method: .get, target: "/api/v1/products") },
            "GET /api/v1/products/{id}": Rule(access: .anyone("the shop window: a product's page")) { _ in
                Call(method: .get, target: "/api/v1/products/p-00001")
            },
            "GET /api/v1/products/{id}/availability": Rule(access: .anyone("the shop window: whether a product is in stock")) { _ in
                Call(method: .get, target: "/api/v1/products/p-00001/availability")
            },
            "GET /api/v1/search": Rule(access: .anyone("the shop window: the search box")) { _ in
                Call(method: .get, target: "/api/v1/search?q=kettle")
            },
            "POST /api/v1/admin/products": Rule(access: .admin) { _ in Call(method: .post, target: "/api/v1/admin/products", body: draft) },
            "PUT /api/v1/admin/products/{id}": Rule(access: .admin) { _ in
                Call(
                    method: .put,
                    target: "/api/v1/admin/products/p-00007",
                    body: draft.replacing(["sku"], with: "AUTHZ-PROBE-2"),
                    headers: ["If-Match": "\"1\""]
                )
            },
            "DELETE /api/v1/admin/products/{id}": Rule(access: .admin) { _ in Call(method: .delete, target: "/api/v1/admin/products/p-99999") },
            "POST /api/v1/admin/search/reindex": Rule(access: .admin) { _ in Call(method: .post, target: "/api/v1/admin/search/reindex") },

            // Inventory and Warehouse: administrators only.
            "GET /api/v1/admin/inventory": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/inventory") },
            "GET /api/v1/admin/inventory/{productId}": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/inventory/p-00007") },
            "POST /api/v1/admin/inventory/{productId}/adjustments": Rule(access: .admin) { _ in
                Call(
                    method: .post,
                    target: "/api/v1/admin/inventory/p-00007/adjustments",
                    body: ["warehouse": "berlin", "delta": 1, "reason": "a unit found while counting"]
                )
            },
            "PUT /api/v1/admin/inventory/{productId}/threshold": Rule(access: .admin) { _ in
                Call(method: .put, target: "/api/v1/admin/inventory/p-00007/threshold", body: ["threshold": 2])
            },
            "GET /api/v1/admin/shipments": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/shipments") },
            "GET /api/v1/admin/shipments/{id}": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/shipments/shp-nothing") },
            "POST /api/v1/admin/shipments/{id}/advance": Rule(access: .admin) { _ in
                Call(method: .post, target: "/api/v1/admin/shipments/shp-nothing/advance")
            },
            "POST /api/v1/admin/shipments/{id}/cancel": Rule(access: .admin) { _ in
                Call(method: .post, target: "/api/v1/admin/shipments/shp-nothing/cancel")
            },
            "GET /api/v1/admin/purchase-orders": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/purchase-orders") },
            "POST /api/v1/admin/purchase-orders/{id}/receive": Rule(access: .admin) { _ in
                Call(method: .post, target: "/api/v1/admin/purchase-orders/po-nothing/receive")
            },

            // Payments: the ledger for administrators; a customer's own membership.
            "GET /api/v1/admin/payments": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/payments") },
            "GET /api/v1/admin/payments/{id}": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/payments/pi_nothing") },
            "POST /api/v1/admin/payments/{id}/refunds": Rule(access: .admin) { _ in
                Call(
                    method: .post,
                    target: "/api/v1/admin/payments/pi_nothing/refunds",
                    body: ["amount": ["minorUnits": 100, "currency": "EUR"]],
                    headers: key()
                )
            },
            "POST /api/v1/me/subscription": Rule(
                access: .customer,
                call: { _ in Call(method: .post, target: "/api/v1/me/subscription", body: ["plan": "plus", "card": card], headers: key()) },
                trespasses: { _ in
                    // Ada's key and body again, from Bob: keys are per caller, so this is Bob's second subscription
                    // (refused: he has one), not a replay of Ada's.
                    let again = Call(
                        method: .post,
                        target: "/api/v1/me/subscription",
                        body: ["plan": "plus", "card": card],
                        headers: ["Idempotency-Key": adaSubscriptionKey]
                    )
                    return [Trespass(call: again, status: 409, slug: "already-subscribed")]
                }
            ),
            "GET /api/v1/me/subscription": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/me/subscription") },
            "DELETE /api/v1/me/subscription": Rule(access: .customer) { _ in Call(method: .delete, target: "/api/v1/me/subscription") },

            // Cart: a signed-in caller's cart is their own, whatever else the request names.
            "GET /api/v1/cart": Rule(access: .guestOrCustomer("a guest's cart is named by the X-Cart-Token the shop gave them")) { _ in
                Call(method: .get, target: "/api/v1/cart")
            },
            "POST /api/v1/cart/items": Rule(access: .guestOrCustomer("a guest fills a cart before having an account")) { _ in
                Call(method: .post, target: "/api/v1/cart/items", body: ["productId": "p-00002", "quantity": 1])
            },
            "PUT /api/v1/cart/items/{productId}": Rule(
                access: .guestOrCustomer("a guest changes the cart their X-Cart-Token names"),
                call: { _ in Call(method: .put, target: "/api/v1/cart/items/p-00002", body: ["quantity": 1]) },
                trespasses: { scene in
                    let change = Call(method: .put, target: "/api/v1/cart/items/\(scene.adaCartProduct)", body: ["quantity": 5])
                    var spent = change
                    spent.headers = ["X-Cart-Token": scene.adaSpentCartToken]
                    return [
                        Trespass(call: change, slug: "cart-line-not-found"), Trespass(call: spent, slug: "cart-line-not-found"),
                        Trespass(call: spent, asGuest: true, slug: "cart-line-not-found"),
                    ]
                }
            ),
            "DELETE /api/v1/cart/items/{productId}": Rule(
                access: .guestOrCustomer("a guest changes the cart their X-Cart-Token names"),
                call: { _ in Call(method: .delete, target: "/api/v1/cart/items/p-00006") },
                trespasses: { scene in
                    let removal = Call(method: .delete, target: "/api/v1/cart/items/\(scene.adaCartProduct)")
                    var spent = removal
                    spent.headers = ["X-Cart-Token": scene.adaSpentCartToken]
                    return [
                        Trespass(call: removal, slug: "cart-line-not-found"), Trespass(call: spent, slug: "cart-line-not-found"),
                        Trespass(call: spent, asGuest: true, slug: "cart-line-not-found"),
                    ]
                }
            ),
            // A token whose guest cart is gone (merged, expired, never written) answers the caller's cart unchanged:
            // merging again after a login must not fail, so this one is 200 with the caller's own cart, not 404.
            "POST /api/v1/cart/merge": Rule(
                access: .customer,
                call: { _ in Call(method: .post, target: "/api/v1/cart/merge", body: ["cartToken": "a-token-this-shop-never-gave"]) },
                trespasses: { scene in
                    [
                        Trespass(
                            call: Call(method: .post, target: "/api/v1/cart/merge", body: ["cartToken": .string(scene.adaSpentCartToken)]),
                            status: 200,
                            absent: ["p-00003", "p-00004", "p-00005"]
                        )
                    ]
                }
            ),

            // Orders: another customer's order is an unknown one on every route.
            "POST /api/v1/checkout": Rule(
                access: .customer,
                // Neither an address book entry nor an address: refused before anything is bought.
                call: { _ in Call(method: .post, target: "/api/v1/checkout", body: ["card": card], headers: key()) },
                trespasses: { scene in
                    let body: JSONText = ["addressId": .string(scene.adaAddress), "card": card]
                    return [
                        Trespass(call: Call(method: .post, target: "/api/v1/checkout", body: body, headers: key()), slug: "address-not-found"),
                        // Ada's own key and body: not a replay of her order for Bob.
                        Trespass(
                            call: Call(method: .post, target: "/api/v1/checkout", body: body, headers: ["Idempotency-Key": adaCheckoutKey]),
                            slug: "address-not-found"
                        ),
                    ]
                }
            ),
            "GET /api/v1/orders": Rule(access: .customer) { _ in Call(method: .get, target: "/api/v1/orders") },
            "GET /api/v1/orders/{id}": Rule(
                access: .customer,
                call: { _ in Call(method: .get, target: "/api/v1/orders/o-nothing") },
                trespasses: { scene in [Trespass(call: Call(method: .get, target: "/api/v1/orders/\(scene.adaOrder)"), slug: "order-not-found")] }
            ),
            "POST /api/v1/orders/{id}/cancel": Rule(
                access: .customer,
                call: { _ in Call(method: .post, target: "/api/v1/orders/o-nothing/cancel") },
                trespasses: { scene in
                    [Trespass(call: Call(method: .post, target: "/api/v1/orders/\(scene.adaOrder)/cancel"), slug: "order-not-found")]
                }
            ),
            "POST /api/v1/orders/{id}/returns": Rule(
                access: .customer,
                call: { _ in Call(method: .post, target: "/api/v1/orders/o-nothing/returns", body: returned) },
                trespasses: { scene in
                    [Trespass(call: Call(method: .post, target: "/api/v1/orders/\(scene.adaOrder)/returns", body: returned), slug: "order-not-found")]
                }
            ),
            "GET /api/v1/admin/orders": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/orders") },
            "GET /api/v1/admin/orders/{id}": Rule(access: .admin) { scene in Call(method: .get, target: "/api/v1/admin/orders/\(scene.adaOrder)") },
            "GET /api/v1/admin/orders/summary": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/orders/summary") },
            "GET /api/v1/admin/sagas": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/sagas") },
            "GET /api/v1/admin/audit": Rule(access: .admin) { _ in Call(method: .get, target: "/api/v1/admin/audit") },

            // Recommendations, on their way from another branch. A product's list takes an optional token there (a
            // signed-in caller's own purchases are left out), so a token that is sent is checked.
            "GET /api/v1/products/{id}/recommendations": Rule(
                access: .guestOrCustomer("the shop window: what others bought with a product; a caller's own purchases are left out"),
                upcoming: true
            ) { _ in Call(method: .get, target: "/api/v1/products/p-00001/recommendations") },
            "GET /api/v1/me/recommendations": Rule(access: .customer, upcoming: true) { _ in
                Call(method: .get, target: "/api/v1/me/recommendations")
            },
            "POST /api/v1/events/product-viewed": Rule(
                access: .guestOrCustomer("a guest's view counts towards popularity, a customer's joins their history"),
                upcoming: true
            ) { _ in Call(method: .post, target: "/api/v1/events/product-viewed", body: ["productId": "p-00001"]) },
            "POST /api/v1/admin/recommendations/rebuild": Rule(access: .admin, upcoming: true) { _ in
                Call(method: .post, target: "/api/v1/admin/recommendations/rebuild")
            },

            // Probes and the operations views.
            "GET /health": Rule(access: .anyone("a liveness probe knows no token")) { _ in Call(method: .get, target: "/health") },
            "GET /ready": Rule(access: .anyone("a readiness probe knows no token")) { _ in Call(method: .get, target: "/ready") },
            "GET /metrics": Rule(access: .anyone("a Prometheus scrape knows no token; the metrics name no person")) { _ in
                Call(method: .get, target: "/metrics")
            },
            "GET /admin/services": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/services") },
            "GET /admin/outbox": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/outbox") },
            "GET /admin/dead-letters": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/dead-letters") },
            "POST /admin/dead-letters/{eventId}/replay": Rule(access: .admin) { _ in
                Call(method: .post, target: "/admin/dead-letters/evt-nothing/replay?group=search")
            },
            "GET /admin/traces": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/traces") },
            "GET /admin/stats": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/stats") },
            "POST /admin/instances/{id}/down": Rule(access: .admin) { _ in Call(method: .post, target: "/admin/instances/nothing-1/down") },
            "POST /admin/instances/{id}/up": Rule(access: .admin) { _ in Call(method: .post, target: "/admin/instances/nothing-1/up") },
            "GET /admin/faults": Rule(access: .admin) { _ in Call(method: .get, target: "/admin/faults") },
            "PUT /admin/faults/{target}": Rule(access: .admin) { _ in
                Call(method: .put, target: "/admin/faults/nothing", body: ["latencyMs": 0, "errorRate": 0])
            },
            "DELETE /admin/faults/{target}": Rule(access: .admin) { _ in Call(method: .delete, target: "/admin/faults/nothing") },
        ]

        static let returned: JSONText = ["lines": [["productId": "p-00004", "quantity": 1]]]

        @Test func everyOperationLetsInOnlyWhomItShouldAndNoCustomerReachesAnothersData() async throws {
            let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let operations = DocumentedOperation.all(in: try DocumentedOperation.document())
            #expect(operations.count >= 65, "the reader found \(operations.count) operations in Docs/openapi.yaml")
            let documented = Set(operations.map(\.key))
            let uncovered = operations.map(\.key).filter { Self.rules[$0] == nil }
            #expect(uncovered == [], "operations of Docs/openapi.yaml the table does not cover: decide who may call them")
            let stale = Self.rules.filter { !$0.value.upcoming && !documented.contains($0.key) }.map(\.key).sorted()
            #expect(stale == [], "the table covers operations Docs/openapi.yaml no longer has")

            let configure: (inout EmporiumConfiguration) -> Void = { configuration in
                CheckoutEndToEndTests.stocked(&configuration)
                configuration.signingSecret = secret
            }
            try await ShopHarness.with(configure: configure) { shop in
                let scene = try await Self.stage(shop)
                let snapshot = try await Self.snapshot(of: scene, shop)
                let wire = try ProbeClient(port: shop.system.port)
                let tokens = try await Self.refusedTokens(scene: scene, secret: secret, shop)
                // Anything of Ada's that must never reach Bob.
                let markers = [scene.ada.id, scene.ada.email, scene.adaAddress, scene.adaOrder, "Ada Owner", "Keizersgracht"] + snapshot.markers

                for operation in operations {
                    guard let rule = Self.rules[operation.key] else { continue }
                    try await Self.check(operation, rule, scene: scene, tokens: tokens, markers: markers, wire)
                }
                await wire.close()

                // Nothing Bob did changed anything of Ada's.
                try await waitUntil("every event is handled", timeout: .seconds(30)) { try await shop.system.hasSettled() }
                let after = try await Self.snapshot(of: scene, shop)
                for (name, before) in snapshot.answers {
                    #expect(after.answers[name] == before, "Ada's \(name) changed while Bob called every operation")
                }
            }
        }

        /// Checks one operation: every refused token, a customer on an administrator's route, the allowed caller,
        /// and another customer naming Ada's resources.
        static func check(
            _ operation: DocumentedOperation,
            _ rule: Rule,
            scene: Scene,
            tokens: [(name: String, token: String)],
            markers: [String],
            _ wire: ProbeClient
        ) async throws {
            let name = operation.key
            let call = rule.call(scene)
            func send(_ call: Call, token: String?) async -> HTTPClientResponse? {
                await wire.send(call.method, call.target, token: token, headers: call.headers, body: call.body?.bytes)
            }
            #expect(rule.access.security == operation.security, "\(name): the table says \(rule.access), the document \(operation.security)")
            let isAdmin: Bool
            if case .admin = rule.access { isAdmin = true } else { isAdmin = false }
            let adminPath = operation.path.hasPrefix("/api/v1/admin/") || operation.path.hasPrefix("/admin/")
            #expect(isAdmin == adminPath, "\(name): administrators' routes, and only they, are under /api/v1/admin and /admin")

            if rule.access.security == .bearer, let response = await send(call, token: nil) {
                expectUnauthorized(response, "\(name) without a token")
            }
            if rule.access.security != .none {
                for (kind, token) in tokens {
                    if let response = await send(call, token: token) { expectUnauthorized(response, "\(name) with \(kind)") }
                }
            }
            if isAdmin, let response = await send(call, token: scene.bob.token) {
                #expect(response.status.code == 403, "\(name) as a customer: \(response.status.code) \(response.text)")
                #expect(response.text.contains("urn:emporium:problem:forbidden"), "\(name) as a customer: \(response.text)")
            }

            if rule.callsAsAllowed {
                let token: String?
                switch rule.access {
                case .anyone: token = nil
                case .guestOrCustomer, .customer: token = scene.bob.token
                case .admin: token = scene.admin
                }
                if let response = await send(call, token: token) {
                    let status = response.status.code
                    #expect(status != 401 && status != 403 && status < 500, "\(name) as its caller: \(status) \(response.text)")
                    if token == scene.bob.token { expectNothing(of: markers, in: response, "\(name) as Bob") }
                }
            }

            for trespass in rule.trespasses(scene) {
                let who = trespass.asGuest ? "a guest" : "Bob"
                let what = "\(name) by \(who) naming Ada's: \(trespass.call.method) \(trespass.call.target)"
                guard let response = await send(trespass.call, token: trespass.asGuest ? nil : scene.bob.token) else { continue }
                #expect(response.status.code == trespass.status, "\(what): \(response.status.code) \(response.text)")
                if let slug = trespass.slug {
                    #expect(response.headers.first(name: "Content-Type") == "application/problem+json", "\(what)")
                    #expect(response.text.contains("urn:emporium:problem:\(slug)"), "\(what): \(response.text)")
                }
                expectNothing(of: markers + trespass.absent, in: response, what)
            }
        }

        static func expectUnauthorized(_ response: HTTPClientResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response.status.code == 401, "\(what): \(response.status.code) \(response.text)", sourceLocation: sourceLocation)
            #expect(response.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(what)", sourceLocation: sourceLocation)
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json", "\(what)", sourceLocation: sourceLocation)
        }

        /// A successful answer to Bob holds nothing of Ada's. (A problem may echo the id Bob sent.)
        static func expectNothing(of markers: [String], in response: HTTPClientResponse, _ what: String) {
            guard (200..<300).contains(response.status.code) else { return }
            let text = response.text
            for marker in markers where text.contains(marker) {
                Issue.record("\(what): the answer holds Ada's \(marker): \(text.prefix(400))")
            }
        }

        /// The tokens every operation that looks at tokens refuses: expired, tampered, `alg: none`, deleted account.
        static func refusedTokens(scene: Scene, secret: [UInt8], _ shop: ShopHarness) async throws -> [(name: String, token: String)] {
            let signer = JWTSigner(secret: secret)
            let now = Int64(Date().timeIntervalSince1970)
            // The test signs as the server does: a fresh token of Bob's signed here is accepted.
            let fresh = signer.sign(JWTClaims(sub: scene.bob.id, role: "customer", iat: now, exp: now + 600))
            let me = try await shop.send(.get, "/api/v1/me", token: fresh)
            #expect(me.status == .ok && me.text.contains(scene.bob.id), "a token signed with the configured secret: \(me.text)")
            let expired = signer.sign(JWTClaims(sub: scene.bob.id, role: "customer", iat: now - 7200, exp: now - 3600))

            // Bob's real token with Ada's id and the administrator's role, and Bob's signature.
            let parts = scene.bob.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let decoded = try #require(Base64URL.decode(parts[1]))
            var claims = try #require(try JSONSerialization.jsonObject(with: Data(decoded)) as? [String: Any])
            claims["sub"] = scene.ada.id
            claims["role"] = "admin"
            let payload = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
            let tampered = [parts[0], payload, parts[2]].joined(separator: ".")

            let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
            let unsigned = Base64URL.encode(Array(#"{"exp":\#(now + 600),"iat":\#(now),"role":"admin","sub":"\#(scene.bob.id)"}"#.utf8))
            let algNone = none + "." + unsigned + "."

            // A third customer, who deleted their account after logging in; their session cannot be refreshed either.
            let gone = try await AccountEndToEndTests.customer(shop, "gone@example.com")
            let session = try shop.decode(
                SessionBody.self,
                from: try await shop.send(.post, "/api/v1/auth/login", json: ["email": "gone@example.com", "password": password])
            )
            let deleted = try await shop.send(.delete, "/api/v1/me", token: gone.token)
            #expect(deleted.status == .accepted, "\(deleted.text)")
            let refreshed = try await shop.send(.post, "/api/v1/auth/refresh", json: ["token": session.refreshToken])
            #expect(refreshed.status == .unauthorized, "a deleted account's refresh token: \(refreshed.text)")
            return [
                ("an expired token", expired), ("a tampered token", tampered), ("an alg none token", algNone),
                ("a deleted account's token", gone.token),
            ]
        }

        /// Ada with a profile, an address, a membership, a confirmed order and a cart line, who was a guest with a
        /// cart before; Bob with two addresses and a cart; the administrator.
        static func stage(_ shop: ShopHarness) async throws -> Scene {
            let admin = try await shop.login(ShopHarness.adminEmail, ShopHarness.adminPassword)
            let adaEmail = "ada.owner@example.com"
            let (adaToken, adaId) = try await AccountEndToEndTests.customer(shop, adaEmail)
            let profile = try await shop.send(
                .put,
                "/api/v1/me/profile",
                token: adaToken,
                json: ProfileBody(displayName: "Ada Owner", phone: nil, marketingOptIn: false)
            )
            #expect(profile.status == .ok, "\(profile.text)")
            struct Saved: Decodable { var id: String }
            let adaAddress = try shop.decode(
                Saved.self,
                from: try await shop.send(
                    .post,
                    "/api/v1/me/addresses",
                    token: adaToken,
                    json: ["name": "Ada Owner", "line1": "Keizersgracht 123", "city": "Amsterdam", "postalCode": "1015 CJ", "country": "NL"]
                ),
                status: 201
            ).id
            let joined = try await shop.send(
                .post,
                "/api/v1/me/subscription",
                token: adaToken,
                headers: ["Idempotency-Key": adaSubscriptionKey],
                json: SubscribeBody(plan: "plus", card: CheckoutEndToEndTests.card())
            )
            #expect(joined.status.code == 201, "\(joined.text)")

            // As a guest first, then signed in: the guest cart joins hers and its token is spent.
            struct Item: Encodable {
                var productId: String
                var quantity: Int
            }
            let guest = try await shop.send(.post, "/api/v1/cart/items", json: Item(productId: "p-00004", quantity: 1))
            #expect(guest.status == .ok, "\(guest.text)")
            let cartToken = try #require(guest.headers.first(name: "X-Cart-Token"))
            let merged = try await shop.send(.post, "/api/v1/cart/merge", token: adaToken, json: ["cartToken": cartToken])
            #expect(merged.status == .ok && merged.text.contains("p-00004"), "\(merged.text)")
            try await CheckoutEndToEndTests.add(shop, adaToken, "p-00005", 1)
            let placed = try await shop.send(
                .post,
                "/api/v1/checkout",
                token: adaToken,
                headers: ["Idempotency-Key": adaCheckoutKey],
                json: CheckoutBody(addressId: adaAddress, card: CheckoutEndToEndTests.card())
            )
            let order = try shop.decode(Saved.self, from: placed, status: 201).id
            try await waitUntil("Ada's order is captured and sent to the warehouse, and her cart emptied") {
                let now = try await shop.send(.get, "/api/v1/orders/\(order)", token: adaToken).text
                let cart = try await shop.send(.get, "/api/v1/cart", token: adaToken).text
                return now.contains("fulfilment-requested") && cart.contains("\"lines\":[]")
            }
            try await CheckoutEndToEndTests.add(shop, adaToken, "p-00003", 1)

            let bobEmail = "bob.other@example.com"
            let (bobToken, bobId) = try await AccountEndToEndTests.customer(shop, bobEmail)
            var bobAddresses: [String] = []
            for _ in 0..<2 {
                let saved = try await shop.send(
                    .post,
                    "/api/v1/me/addresses",
                    token: bobToken,
                    json: ["name": "Bob Other", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"]
                )
                bobAddresses.append(try shop.decode(Saved.self, from: saved, status: 201).id)
            }
            try await CheckoutEndToEndTests.add(shop, bobToken, "p-00002", 1)
            try await CheckoutEndToEndTests.add(shop, bobToken, "p-00006", 1)
            var refresh: [String] = []
            for _ in 0..<2 {
                let session = try await shop.send(.post, "/api/v1/auth/login", json: ["email": bobEmail, "password": password])
                refresh.append(try shop.decode(SessionBody.self, from: session).refreshToken)
            }
            return Scene(
                admin: admin,
                ada: Person(token: adaToken, id: adaId, email: adaEmail),
                bob: Person(token: bobToken, id: bobId, email: bobEmail),
                adaAddress: adaAddress,
                adaOrder: order,
                adaCartProduct: "p-00003",
                adaSpentCartToken: cartToken,
                bobAddress: bobAddresses[0],
                bobSpareAddress: bobAddresses[1],
                bobRefreshTokens: refresh
            )
        }

        /// What Ada sees of her own data, by name, once every event is handled; and ids in it Bob must never see.
        static func snapshot(of scene: Scene, _ shop: ShopHarness) async throws -> (answers: [String: String], markers: [String]) {
            try await waitUntil("every event is handled", timeout: .seconds(30)) { try await shop.system.hasSettled() }
            var answers: [String: String] = [:]
            for path in [
                "/api/v1/me", "/api/v1/me/profile", "/api/v1/me/addresses", "/api/v1/me/subscription", "/api/v1/cart", "/api/v1/orders",
                "/api/v1/orders/\(scene.adaOrder)",
            ] {
                let response = try await shop.send(.get, path, token: scene.ada.token)
                #expect(response.status == .ok, "Ada's \(path): \(response.text)")
                answers[path] = response.text
            }
            struct Membership: Decodable { var id: String }
            struct Order: Decodable {
                struct Payment: Decodable { var intentId: String }
                var number: String
                var payment: Payment?
            }
            let membership = try JSONDecoder().decode(Membership.self, from: Data((answers["/api/v1/me/subscription"] ?? "").utf8))
            let order = try JSONDecoder().decode(Order.self, from: Data((answers["/api/v1/orders/\(scene.adaOrder)"] ?? "").utf8))
            return (answers, [membership.id, order.number] + (order.payment.map { [$0.intentId] } ?? []))
        }
    }
}
