import Emporium
import Foundation
import HTTP

/// The scripted shopper of `emporium demo`: register, log in, browse, search, open a product, read the profile,
/// refresh the token, log out. Each step prints its status, method, path, time and trace id.
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
        let product = page?.products.first
        let word = product.flatMap { Self.searchWord(in: $0.name) }
        await step(.get, word.map { "/api/v1/search?q=\(encoded($0))" }, expect: 200) { (results: SearchBody) in
            "\(results.total) hits for '\(word ?? "")'"
        }
        await step(.get, product.map { "/api/v1/products/\(encoded($0.id))" }, expect: 200) { (product: ProductBody) in product.name }
        await step(.get, session.map { _ in "/api/v1/me" }, token: session?.accessToken, expect: 200) { (user: UserBody) in
            "\(user.email) (\(user.role))"
        }
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
    @discardableResult
    private func step<Reply: Decodable>(
        _ method: HTTPMethod,
        _ path: String?,
        body: [UInt8] = [],
        token: String? = nil,
        expect expected: Int,
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
        let started = ContinuousClock.now
        let response: HTTPClientResponse
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
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed / .milliseconds(1)
        let trace = response.headers.first(name: "traceparent").flatMap { field -> String? in
            let parts = field.split(separator: "-")
            return parts.count == 4 ? String(parts[1]) : nil
        }
        var reply: Reply?
        var note: String
        if Reply.self == Empty.self {
            reply = Empty() as? Reply
        } else {
            reply = try? JSONDecoder().decode(Reply.self, from: Data(response.body))
        }
        let ok = response.status.code == expected && reply != nil
        if let reply, ok {
            note = describe(reply)
        } else if response.status.code != expected {
            let detail = (try? JSONDecoder().decode(ProblemBody.self, from: Data(response.body)))?.detail
            note = "expected \(expected)" + (detail.map { ": \($0)" } ?? "")
        } else {
            note = "the reply is not what the API describes"
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

    private func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
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
    var total: Int
}

private struct ProblemBody: Decodable {
    var detail: String?
}

/// A reply without a body (`204`).
private struct Empty: Decodable {}
