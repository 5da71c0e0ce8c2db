import Foundation
import HTTP

/// `emporium audit`: asks a running system for its cross-module audit and prints it; exits 1 on any violation.
enum AuditCommand: Command {
    static let name = "audit"
    static let summary = "Check a running shop's orders against payments, stock and shipments; exit 1 on any violation."
    static let usage = "audit --url URL [--email EMAIL] [--password PASSWORD]"
    static let discussion = """
        Logs in as an administrator and reads GET /api/v1/admin/audit: every order against its payment (captured minus
        refunded is what the order says it was paid), its reservation and its shipments; payments and reservations
        without an order; holds past their expiry; and Inventory's and Payments' own ledger checks.
        """
    static let examples = ["emporium audit --url http://127.0.0.1:8080 --password \"$(cat .emporium/initial-admin-password)\""]
    static let url = Option("url", .value(placeholder: "URL"), environment: "EMPORIUM_URL", "The running emporium (http only).")
    static let email = Option("email", .value(placeholder: "EMAIL"), "The administrator's e-mail (default admin@emporium.local).")
    static let password = Option(
        "password",
        .value(placeholder: "PASSWORD"),
        environment: "EMPORIUM_ADMIN_PASSWORD",
        "The administrator's password (default: the data directory's initial-admin-password)."
    )
    static let options = [url, email, password, Options.data]

    /// The audit's answer, the parts the CLI prints.
    struct Report: Codable, Sendable {
        struct Violation: Codable, Sendable {
            var orderId: String?
            var check: String
            var detail: String
        }
        var orders: Int
        var payments: Int
        var reservations: Int
        var violations: [Violation]
    }

    /// An administrator's e-mail and password.
    struct Credentials: Sendable {
        var email: String
        var password: String
    }

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        guard let (text, source) = arguments.value(url) else { throw CLIError(.usage, "audit needs --url URL of a running emporium") }
        guard let (host, port) = Demo.address(of: text) else {
            throw CLIError(source.exitCode, "\(source): '\(text)' is not an http URL with a host this machine can resolve")
        }
        let credentials = try credentials(arguments)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let connection: HTTPClientConnection
        do {
            connection = try await client.connect(host: host, port: port, timeout: .seconds(5))
        } catch {
            throw CLIError(.unavailable, "cannot reach \(text): \(error)")
        }
        defer { Task { await connection.close() } }
        let report = try await audit(on: connection, as: credentials)
        for line in lines(report) { Console.out(line) }
        return report.violations.isEmpty ? .success : .failure
    }

    /// The administrator from `--email` (default `admin@emporium.local`) and `--password`/`EMPORIUM_ADMIN_PASSWORD`,
    /// else the data directory's `initial-admin-password`.
    /// - Throws: ``CLIError`` (usage) when no password is given and the file cannot be read.
    static func credentials(_ arguments: ParsedArguments) throws(CLIError) -> Credentials {
        let login = arguments.value(email)?.text ?? "admin@emporium.local"
        if let given = arguments.value(password)?.text { return Credentials(email: login, password: given) }
        let file = Options.dataDirectory(arguments) + "/initial-admin-password"
        guard let stored = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CLIError(.usage, "give the administrator's password with --password (no \(file) to read it from)")
        }
        return Credentials(email: login, password: stored.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Logs in as the administrator; the access token.
    /// - Throws: ``CLIError`` (1) when the login is refused.
    static func login(on connection: HTTPClientConnection, as credentials: Credentials) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["email": credentials.email, "password": credentials.password])
        let session = try await sendPatiently(on: connection) {
            try await $0.send(.post, "/api/v1/auth/login", headers: ["Content-Type": "application/json"], body: Array(body))
        }
        guard session.status == .ok,
            let object = try? JSONSerialization.jsonObject(with: Data(session.body)) as? [String: Any],
            let token = object["accessToken"] as? String
        else { throw CLIError(.failure, "cannot log in as \(credentials.email): HTTP \(session.status.code)") }
        return token
    }

    /// Logs in and reads `GET /api/v1/admin/audit`.
    /// - Throws: ``CLIError`` (1) when the login is refused or the audit does not answer 200.
    /// Sends a request again after its `Retry-After` (at most 5 s each time) while the shop refuses it for now (`429`,
    /// or `503` with `Retry-After`: an overloaded shop still draining a load run), for up to a minute.
    private static func sendPatiently(
        on connection: HTTPClientConnection,
        _ send: (HTTPClientConnection) async throws -> HTTPClientResponse
    ) async throws -> HTTPClientResponse {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let response = try await send(connection)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init)
            guard response.status.code == 429 || response.status.code == 503, let retryAfter, ContinuousClock.now < deadline else { return response }
            try await Task.sleep(for: .seconds(min(max(retryAfter, 1), 5)))
        }
    }

    static func audit(on connection: HTTPClientConnection, as credentials: Credentials) async throws -> Report {
        let token = try await login(on: connection, as: credentials)
        let response = try await sendPatiently(on: connection) {
            try await $0.send(.get, "/api/v1/admin/audit", headers: ["Authorization": "Bearer \(token)"], timeout: .seconds(120))
        }
        guard response.status == .ok else { throw CLIError(.failure, "the audit answered HTTP \(response.status.code): \(response.text)") }
        return try JSONDecoder().decode(Report.self, from: Data(response.body))
    }

    /// What was checked, each violation, and the verdict.
    static func lines(_ report: Report) -> [String] {
        var lines = ["checked \(report.orders) orders, \(report.payments) payments, \(report.reservations) reservations"]
        for violation in report.violations {
            lines.append("  \(violation.check)\(violation.orderId.map { " \($0)" } ?? ""): \(violation.detail)")
        }
        lines.append(report.violations.isEmpty ? "no violations" : "\(report.violations.count) violations")
        return lines
    }
}
