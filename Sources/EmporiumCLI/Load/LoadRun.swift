import Foundation
import HTTP

/// How a load run is shaped: `--users`, `--duration`, `--think`, `--allow-shed`, `--record`.
struct LoadSettings: Sendable {
    var users: Int
    var duration: Duration
    var think: ClosedRange<Duration>
    /// Whether refusals (`429`, `503` with `Retry-After`) count as expected (`--allow-shed`).
    var allowShed: Bool
    /// Where checkouts' answers and stock adjustments are written as they happen (`--record`).
    var journal: LoadJournal? = nil
}

/// One run of the shopper mix against a running shop: prepare the catalog, let the shoppers loose until the deadline,
/// read their orders once the sagas have decided them, run the audit, and report.
struct LoadRun: Sendable {
    let url: String
    let host: String
    let port: Int
    let settings: LoadSettings
    let administrator: AuditCommand.Credentials
    /// Written before the progress figures (`A: `, `B: ` in a comparison).
    var progressLabel = ""

    /// How many shoppers' orders are read at once after the run.
    static let concurrentReads = 8

    /// How long the run waits after the deadline for orders still `pending` to be decided.
    static let settleTimeout = Duration.seconds(30)

    /// - Throws: ``CLIError`` (69) when the shop cannot be reached; (1) when the administrator cannot log in or the
    ///   catalog cannot be read or stocked.
    func run(progress: Bool) async throws -> LoadReport {
        // One event loop per core for the shoppers' connections, one for the administrator's.
        let clients = try (0..<max(1, min(settings.users, ProcessInfo.processInfo.activeProcessorCount))).map { _ in try HTTPClient() }
        let adminClient = try HTTPClient()
        defer {
            for client in clients { client.shutdown() }
            adminClient.shutdown()
        }
        let admin: HTTPClientConnection
        do {
            admin = try await adminClient.connect(host: host, port: port, timeout: .seconds(5))
        } catch {
            throw CLIError(.unavailable, "cannot reach \(url): \(error)", hint: "is 'emporium serve' running there?")
        }
        let adminToken = try await AuditCommand.login(on: admin, as: administrator)
        let catalog = try await LoadCatalog.prepare(on: admin, adminToken: adminToken, journal: settings.journal)

        let recorder = LoadRecorder(allowsRefusals: settings.allowShed)
        let context = LoadContext(
            host: host,
            port: port,
            catalog: catalog,
            recorder: recorder,
            journal: settings.journal,
            think: settings.think,
            runID: String(UInt64.random(in: 0...UInt64.max), radix: 36),
            password: "load-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        )
        let ticker = progress ? Task { await ProgressLine.run(recorder, label: progressLabel, duration: settings.duration) } : nil
        let started = ContinuousClock.now
        let deadline = started + settings.duration
        let sessions = await withTaskGroup(of: ShopperSession.self, returning: [ShopperSession].self) { group in
            for number in 0..<settings.users {
                let client = clients[number % clients.count]
                // On its connection's loop: the shopper's requests and answers then never hop between threads, which
                // is most of what a shopper costs the machine it shares with the server.
                group.addTask(executorPreference: client.executor) {
                    await VirtualShopper(number: number, context: context, client: client).shop(until: deadline)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        ticker?.cancel()
        await ticker?.value

        let tally = recorder.snapshot
        var problems: [String] = []
        if tally.unexpected > 0 {
            let expected = LoadStep.allCases.map { "\($0.rawValue) \($0.expectedStatuses.map(String.init).joined(separator: "/"))" }
            problems.append(
                "\(Figures.grouped(tally.unexpected)) requests got an unexpected answer or none (expected: \(expected.joined(separator: ", "))"
                    + (settings.allowShed ? ", and refusals anywhere: 429, or 503 with Retry-After)." : ").")
            )
        }
        let orders = await settledOrders(sessions, client: adminClient)
        let found = orders.values.reduce(0, +)
        if found < tally.checkouts {
            problems.append(
                "\(tally.checkouts - found) of the \(tally.checkouts) checkouts answered 201 or 202 are missing from the shoppers' orders."
            )
        }
        if let pending = orders["pending"], pending > 0 {
            problems.append("\(pending) orders were still pending \(Self.settleTimeout) after the run.")
        }
        // The audit on a connection of its own: the administrator's sat idle through the run, and the server closes
        // a connection idle for a minute.
        await admin.close()
        var audit: AuditCommand.Report?
        do {
            let connection = try await adminClient.connect(host: host, port: port, timeout: .seconds(5))
            do {
                audit = try await AuditCommand.audit(on: connection, as: administrator)
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
            if let audit, !audit.violations.isEmpty { problems.append("The audit reported \(audit.violations.count) violations.") }
        } catch {
            problems.append("The audit could not run: \((error as? CLIError)?.message ?? "\(error)").")
        }
        return LoadReport(
            url: url,
            users: settings.users,
            elapsed: elapsed,
            think: settings.think,
            tally: tally,
            orders: orders,
            restockedProducts: catalog.restocked,
            audit: audit,
            problems: problems
        )
    }

    /// Every shopper's orders by status, read again (for those with orders still `pending`, or whose orders could not
    /// be read) until none is or ``settleTimeout`` passes.
    private func settledOrders(_ sessions: [ShopperSession], client: HTTPClient) async -> [String: Int] {
        let deadline = ContinuousClock.now + Self.settleTimeout
        var statuses: [Int: [String: Int]] = [:]
        // A shopper whose connection the server closed gets a new one.
        var unsettled: [ShopperSession] = []
        for session in sessions where session.authorization != nil {
            let connection = session.connection == nil ? try? await client.connect(host: host, port: port, timeout: .seconds(5)) : session.connection
            unsettled.append(ShopperSession(number: session.number, authorization: session.authorization, connection: connection))
        }
        while !unsettled.isEmpty {
            // A few at a time: hundreds of shoppers asking at once would be a burst the shop sheds.
            let read = await withTaskGroup(of: (Int, [String: Int]?).self, returning: [(Int, [String: Int]?)].self) { group in
                var results: [(Int, [String: Int]?)] = []
                for (index, session) in unsettled.enumerated() {
                    if index >= Self.concurrentReads, let result = await group.next() { results.append(result) }
                    group.addTask { (session.number, await Self.orderStatuses(of: session)) }
                }
                return await group.reduce(into: results) { $0.append($1) }
            }
            for (number, counts) in read { if let counts { statuses[number] = counts } }
            // A shopper whose orders could not be read (a refusal, say) is read again too.
            unsettled = unsettled.filter { statuses[$0.number].map { ($0["pending"] ?? 0) > 0 } ?? true }
            guard !unsettled.isEmpty, ContinuousClock.now < deadline else { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return statuses.values.reduce(into: [:]) { total, counts in total.merge(counts, uniquingKeysWith: +) }
    }

    /// One shopper's orders by status, every page; `nil` when a page cannot be read.
    private static func orderStatuses(of session: ShopperSession) async -> [String: Int]? {
        struct Page: Decodable {
            struct Order: Decodable { var status: String }
            var items: [Order]
            var nextCursor: String?
        }
        guard let connection = session.connection, let authorization = session.authorization else { return nil }
        var counts: [String: Int] = [:]
        var cursor: String?
        repeat {
            let target = "/api/v1/orders?limit=100" + (cursor.map { "&cursor=\(LoadCatalog.encoded($0))" } ?? "")
            guard let response = try? await connection.send(.get, target, headers: ["Authorization": authorization], timeout: .seconds(30)),
                response.status == .ok, let page = try? JSONDecoder().decode(Page.self, from: Data(response.body))
            else { return nil }
            for order in page.items { counts[order.status, default: 0] += 1 }
            cursor = page.nextCursor
        } while cursor != nil
        return counts
    }
}
