import Emporium
import Foundation
import HTTP

/// The scripted shopper of `emporium demo`: register, log in, browse, search, open a product, read the profile, buy
/// it, have a card declined, cancel the order, refresh the token, log out. Each step prints its status, method, path,
/// time and trace id.
final class ShopperJourney {
    private let host: String
    private let port: Int
    private let client: HTTPClient
    private var connection: HTTPClientConnection?
    private(set) var passed = 0
    private(set) var failed = 0

    /// - Parameters:
    ///   - host: A numeric address.
    ///   - port: The port.
    init(host: String, port: Int) throws {
        self.host = host
        self.port = port
        client = try HTTPClient()
    }

    deinit {
        client.shutdown()
    }

    /// Runs every step; a step whose input an earlier one failed to provide counts as failed.
    /// - Returns: Whether every step got the status it expected.
    func run() async -> Bool {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let email = "shopper-\(suffix)@example.com"
        let password = "demo-\(UUID().uuidString.prefix(12))"
        let credentials = json(["email": email, "password": password])

        await step(.post, "/api/v1/auth/register", body: credentials, expect: 201) { (_: UserBody) in "registered \(email)" }
        let session = await step(.post, "/api/v1/auth/login", body: credentials, expect: 200) { (session: SessionBody) in
            "logged in, access token \(session.accessToken.prefix(12))..."
        }
        let categories = await step(.get, "/api/v1/categories", expect: 200) { (categories: [CategoryBody]) in
            "\(categories.count) categories"
        }
        let category = categories?.first
        let page = await step(.get, category.map { "/api/v1/products?category=\(encoded($0.id))&limit=5" }, expect: 200) { (page: PageBody) in
            "\(page.products.count) products in \(category?.name ?? "?")"
        }
        let word = page?.products.first.flatMap { Self.searchWord(in: $0.name) }
        let results = await step(.get, word.map { "/api/v1/search?q=\(encoded($0))&inStock=true" }, expect: 200) { (results: SearchBody) in
            "\(results.total) in stock for '\(word ?? "")'"
        }
        // The product to buy: one search found in stock, else the first of the page.
        let productID = results?.hits.first?.productID ?? page?.products.first?.id
        let product = await step(.get, productID.map { "/api/v1/products/\(encoded($0))" }, expect: 200) { (product: ProductBody) in product.name }
        await step(.get, session.map { _ in "/api/v1/me" }, token: session?.accessToken, expect: 200) { (user: UserBody) in
            "\(user.email) (\(user.role))"
        }
        await buy(product, token: session?.accessToken)
        let refreshed = await step(
            .post,
            session.map { _ in "/api/v1/auth/refresh" },
            body: json(["token": session?.refreshToken ?? ""]),
            expect: 200
        ) {
            (_: SessionBody) in "new access and refresh tokens"
        }
        await step(.post, refreshed.map { _ in "/api/v1/auth/logout" }, body: json(["token": refreshed?.refreshToken ?? ""]), expect: 204) {
            (_: Empty) in "refresh token revoked"
        }
        await connection?.close()
        return failed == 0
    }

    /// A purchase (cart, address, checkout: 201 confirmed), a declined card (402 with its decline code, the cart
    /// kept) and the purchase cancelled (the payment voided or refunded).
    private func buy(_ product: ProductBody?, token: String?) async {
        let item = product.map { json(["productId": $0.id, "quantity": 1]) }
        await step(.post, item.map { _ in "/api/v1/cart/items" }, body: item ?? [], token: token, expect: 200) { (cart: CartBody) in
            "\(Self.lines(cart.lines.count)) in the cart, \(cart.totals.total)"
        }
        let address = json(["name": "Demo Shopper", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE"])
        let saved = await step(.post, token.map { _ in "/api/v1/me/addresses" }, body: address, token: token, expect: 201) {
            (address: AddressBody) in "address \(address.id) in \(address.address.city)"
        }
        let order = await step(
            .post,
            saved.map { _ in "/api/v1/checkout" },
            body: saved.map { checkoutBody(address: $0.id, card: "4242424242424242") } ?? [],
            token: token,
            headers: ["Idempotency-Key": "demo-\(UUID().uuidString)"],
            expect: 201,
            check: { (order: OrderBody) in order.status == "confirmed" ? nil : "the order is \(order.status), not confirmed" },
            describe: { (order: OrderBody) in
                "order \(order.number) confirmed, \(order.payment?.amount.description ?? order.totals.total.description) authorised"
            }
        )

        // The card 4000 0000 0000 0002 is always declined.
        await step(.post, order.map { _ in "/api/v1/cart/items" }, body: item ?? [], token: token, expect: 200) { (cart: CartBody) in
            "\(Self.lines(cart.lines.count)) in the cart, \(cart.totals.total)"
        }
        await step(
            .post,
            order.map { _ in "/api/v1/checkout" },
            body: saved.map { checkoutBody(address: $0.id, card: "4000000000000002") } ?? [],
            token: token,
            headers: ["Idempotency-Key": "demo-\(UUID().uuidString)"],
            expect: 402,
            check: { (declined: DeclineBody) in declined.declineCode == nil ? "the answer names no decline code" : nil },
            describe: { (declined: DeclineBody) in "declined, \(declined.declineCode ?? "?"); order \(declined.orderId) payment-failed" }
        )
        await step(
            .get,
            order.map { _ in "/api/v1/cart" },
            token: token,
            expect: 200,
            check: { (cart: CartBody) in cart.lines.isEmpty ? "the cart is empty after the decline" : nil },
            describe: { (cart: CartBody) in "the cart kept: \(Self.lines(cart.lines.count)), \(cart.totals.total)" }
        )

        // Cancelling the confirmed order voids its authorisation, or refunds it once captured.
        let path = order.map { "/api/v1/orders/\(encoded($0.id))" }
        await step(.post, path.map { $0 + "/cancel" }, token: token, expect: 200) { (order: OrderBody) in "order \(order.status)" }
        await step(
            .get,
            path,
            token: token,
            expect: 200,
            until: { (order: OrderBody) in order.status == "cancelled" && order.payment?.isCompensated == true },
            check: { (order: OrderBody) in order.status == "cancelled" ? nil : "the order is \(order.status), not cancelled" },
            describe: { (order: OrderBody) in "order \(order.number) cancelled, " + (order.payment.map(\.compensation) ?? "no payment") }
        )
    }

    private func checkoutBody(address: String, card: String) -> [UInt8] {
        let body: [String: Any] = ["addressId": address, "card": ["number": card, "expMonth": 12, "expYear": 2031, "cvc": "123"] as [String: Any]]
        return Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    /// Opens the connection the steps share.
    /// - Throws: ``CLIError`` (69) when the server cannot be reached.
    func connect() async throws {
        do {
            connection = try await client.connect(host: host, port: port, timeout: .seconds(5))
        } catch {
            throw CLIError(.unavailable, "cannot connect to \(host):\(port): \(error)", hint: "is 'emporium serve' running there?")
        }
    }

    /// One request; prints its line and decodes the reply. A `nil` path means an earlier step failed to provide what
    /// this one needs.
    /// - Parameters:
    ///   - until: Asks again (every 100 ms, for up to 10 seconds) while the reply does not satisfy it: for what the
    ///     system finishes in the background. The line shows the last request.
    ///   - check: Why the reply, though of the expected status, is not what the step expects; `nil` when it is.
    @discardableResult
    private func step<Reply: Decodable>(
        _ method: HTTPMethod,
        _ path: String?,
        body: [UInt8] = [],
        token: String? = nil,
        headers extra: HTTPHeaders = [:],
        expect expected: Int,
        until settled: ((Reply) -> Bool)? = nil,
        check: ((Reply) -> String?)? = nil,
        describe: (Reply) -> String
    ) async -> Reply? {
        guard let path else {
            failed += 1
            report(ok: false, status: "---", method, "(skipped)", milliseconds: nil, trace: nil, note: "an earlier step failed")
            return nil
        }
        var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": "emporium-demo/\(Emporium.version)"]
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { headers.add(name: name, value: value) }
        let deadline = ContinuousClock.now + .seconds(10)
        var started: ContinuousClock.Instant
        var response: HTTPClientResponse
        var reply: Reply?
        repeat {
            started = ContinuousClock.now
            do {
                // The server may close a connection after an error reply; the next step opens a new one.
                if let current = connection, await current.isClosed { connection = nil }
                if connection == nil { try await connect() }
                guard let connection else { throw HTTPClientError.connectionClosed }
                response = try await connection.send(method, path, headers: headers, body: body, timeout: .seconds(30))
            } catch {
                failed += 1
                report(ok: false, status: "---", method, path, milliseconds: nil, trace: nil, note: "\(error)")
                return nil
            }
            if Reply.self == Empty.self {
                reply = Empty() as? Reply
            } else {
                reply = try? JSONDecoder().decode(Reply.self, from: Data(response.body))
            }
            guard let settled, response.status.code == expected, let reply, !settled(reply), ContinuousClock.now < deadline else { break }
            try? await Task.sleep(for: .milliseconds(100))
        } while true
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed / .milliseconds(1)
        let trace = response.headers.first(name: "traceparent").flatMap { field -> String? in
            let parts = field.split(separator: "-")
            return parts.count == 4 ? String(parts[1]) : nil
        }
        var note: String
        let wrong = reply.flatMap { check?($0) }
        let ok = response.status.code == expected && reply != nil && wrong == nil
        if let reply, ok {
            note = describe(reply)
        } else if response.status.code != expected {
            let detail = (try? JSONDecoder().decode(ProblemBody.self, from: Data(response.body)))?.detail
            note = "expected \(expected)" + (detail.map { ": \($0)" } ?? "")
        } else {
            note = wrong ?? "the reply is not what the API describes"
        }
        if ok { passed += 1 } else { failed += 1 }
        report(ok: ok, status: "\(response.status.code)", method, path, milliseconds: milliseconds, trace: trace, note: note)
        return ok ? reply : nil
    }

    private func report(ok: Bool, status: String, _ method: HTTPMethod, _ path: String, milliseconds: Double?, trace: String?, note: String) {
        let time = milliseconds.map { String(format: "%8.1f ms", $0) } ?? "       - ms"
        let columns = [
            (ok ? "ok" : "FAIL").padding(toLength: 5, withPad: " ", startingAt: 0),
            status,
            method.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0),
            path.padding(toLength: max(44, path.count), withPad: " ", startingAt: 0),
            time,
            "trace " + (trace ?? "-".padding(toLength: 32, withPad: " ", startingAt: 0)),
            note,
        ]
        Console.out("  " + columns.joined(separator: " "))
    }

    private func json(_ fields: [String: String]) -> [UInt8] {
        Array((try? JSONEncoder().encode(fields)) ?? Data())
    }

    private func json(_ fields: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: fields)) ?? Data())
    }

    private func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// `1 line`, `2 lines`.
    private static func lines(_ count: Int) -> String {
        count == 1 ? "1 line" : "\(count) lines"
    }

    /// The first word of a product name worth searching for: letters only, at least three of them.
    static func searchWord(in name: String) -> String? {
        name.split { !$0.isLetter }.first { $0.count >= 3 }.map { $0.lowercased() }
    }
}

// The parts of the replies the journey reads; the API has more.
private struct SessionBody: Decodable {
    var accessToken: String
    var refreshToken: String
}

private struct UserBody: Decodable {
    var email: String
    var role: String
}

private struct CategoryBody: Decodable {
    var id: String
    var name: String
}

private struct ProductBody: Decodable {
    var id: String
    var name: String
}

private struct PageBody: Decodable {
    var products: [ProductBody]
}

private struct SearchBody: Decodable {
    struct Hit: Decodable {
        var productID: String
    }
    var hits: [Hit]
    var total: Int
}

private struct MoneyBody: Decodable, CustomStringConvertible {
    var minorUnits: Int
    var currency: String

    /// `12.34 EUR`.
    var description: String {
        String(format: "%d.%02d %@", minorUnits / 100, abs(minorUnits % 100), currency)
    }
}

private struct TotalsBody: Decodable {
    var total: MoneyBody
}

private struct CartBody: Decodable {
    struct Line: Decodable {
        var productId: String
        var quantity: Int
    }
    var lines: [Line]
    var totals: TotalsBody
}

private struct AddressBody: Decodable {
    struct Address: Decodable {
        var city: String
    }
    var id: String
    var address: Address
}

private struct OrderBody: Decodable {
    struct Payment: Decodable {
        var amount: MoneyBody
        var captured: MoneyBody
        var refunded: MoneyBody
        var status: String

        /// Voided before capture, or refunded in full after it.
        var isCompensated: Bool {
            status == "canceled" || (captured.minorUnits > 0 && refunded.minorUnits == captured.minorUnits)
        }

        /// What happened to the money, for the step's line.
        var compensation: String {
            if status == "canceled" { return "the authorisation of \(amount) voided" }
            if refunded.minorUnits > 0 { return "\(refunded) of \(captured) captured refunded" }
            return "payment \(status), \(captured) captured"
        }
    }
    var id: String
    var number: String
    var status: String
    var totals: TotalsBody
    var payment: Payment?
}

private struct DeclineBody: Decodable {
    var orderId: String
    var declineCode: String?
}

private struct ProblemBody: Decodable {
    var detail: String?
}

/// A reply without a body (`204`).
private struct Empty: Decodable {}
