import Foundation
import HTTP
import Storage
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether this process may mount a tmpfs: tried once on a directory of its own.
private let mountPermitted: Bool = {
    guard let directory = try? TemporaryDirectory() else { return false }
    let point = directory.path("probe")
    guard (try? FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: false)) != nil,
        (try? Subprocess.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point]))?.status == 0
    else { return false }
    _ = try? Subprocess.run("/usr/bin/umount", [point])
    return true
}()

extension WholeSystem {
    /// The served binary with its data directory on a small tmpfs that a filler file fills under a checkout load:
    /// writes answer `503 storage-unavailable` (or, for a checkout whose Inventory or Payments could not store, the
    /// `503` naming the order), never an undeclared error; reads go on; what was committed stays intact; and once the
    /// filler is gone the same process takes orders again. Needs root, for `mount -t tmpfs`.
    @Suite(.enabled(if: mountPermitted, "needs root to mount a tmpfs (mount -t tmpfs); this machine and CI run as root"))
    struct FullDiskTests {
        static let shoppers = 3
        static let products = ["p-00001", "p-00002", "p-00003", "p-00004", "p-00005", "p-00006"]
        /// The answers a checkout may get while the disk is full: confirmed or still deciding (it fitted in room a
        /// database file had), or a `503` saying which service could not store.
        static let unavailableTypes: Set = ["storage-unavailable", "inventory-unavailable", "payments-unavailable"]

        /// A checkout's answer, and whether the disk was full when it was sent.
        struct Answer: Sendable {
            var status: Int?
            var orderId: String?
            var type: String?
            var detail: String?
            var retryAfter: String?
            var whileFull: Bool
        }

        /// What the shoppers were told.
        final class Answers: Sendable {
            private let state = Mutex<[Answer]>([])
            let full = Atomic<Bool>(false)
            let stop = Atomic<Bool>(false)
            func add(_ answer: Answer) { state.withLock { $0.append(answer) } }
            var all: [Answer] { state.withLock { $0 } }
        }

        @Test func aFullDiskAnswers503KeepsReadsAndCommittedOrdersAndResumesWithoutARestart() async throws {
            let directory = try TemporaryDirectory()
            let catalog = try SmallCatalog.write(in: directory)
            let disk = directory.path("disk")
            try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
            let mounted = try Subprocess.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=10m", "tmpfs", disk])
            try #require(mounted.status == 0, "mount -t tmpfs: \(mounted.output)")
            defer { _ = try? Subprocess.run("/usr/bin/umount", ["-l", disk]) }
            let data = disk + "/data"
            let filler = disk + "/filler"

            let server = try await Served.start(
                data: data,
                extra: [
                    "--seed", catalog, "--rate-limit", "0", "--set", "orders.claim-duration=2", "--set", "orders.recovery-interval=1",
                ]
            )
            do {
                try await Self.exercise(server, data: data, filler: filler)
            } catch {
                server.process.killHard()
                throw error
            }
            await server.stop()

            // Nothing committed was damaged: every database passes SQLite's own check.
            let files = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".sqlite") }
            #expect(files.count >= 9, "\(files)")
            for file in files {
                let database = try Database(path: data + "/" + file)
                #expect(try database.integrityCheck() == [], "\(file)")
                database.close()
            }
        }

        static func exercise(_ server: Served, data: String, filler: String) async throws {
            var shoppers: [(token: String, addressId: String)] = []
            for number in 0..<Self.shoppers {
                let email = "full-disk-\(number)@example.com"
                let registered = try await server.send(.post, "/api/v1/auth/register", json: ["email": email, "password": Served.password])
                #expect(registered.status.code == 201, "\(registered.text)")
                let token = try await server.login(email, Served.password)
                shoppers.append((token, try await server.address(token: token)))
            }
            let admin = try await server.login(Served.adminEmail, Served.adminPassword)
            let probe = shoppers[0].token

            // A checkout load: each shopper buys one unit after another on a connection of its own.
            let answers = Answers()
            let port = server.port
            let everyone = shoppers
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for (index, shopper) in everyone.enumerated() {
                        group.addTask {
                            await Self.shop(token: shopper.token, addressId: shopper.addressId, index: index, port: port, answers: answers)
                        }
                    }
                }
            }
            defer { load.cancel() }
            try await waitUntil("three checkouts are confirmed before the disk fills", timeout: .seconds(30)) {
                answers.all.filter { $0.status == 201 }.count >= 3
            }

            // The filler takes every free page of the file system.
            answers.full.store(true, ordering: .releasing)
            let filled = try Self.fill(filler)
            #expect(filled > 0)

            // Writes fail with a clear 503: the checkouts, and a change to the cart.
            try await waitUntil("a checkout answers 503 while the disk is full", timeout: .seconds(20)) {
                answers.all.contains { $0.whileFull && $0.status == 503 }
            }
            var refused: HTTPClientResponse?
            try await waitUntil("a change to the cart answers 503 storage-unavailable", timeout: .seconds(20)) {
                let response = try await server.send(.post, "/api/v1/cart/items", token: probe, json: Item(productId: "p-00007", quantity: 1))
                refused = response
                return response.status.code == 503
            }
            let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(try #require(refused).body))
            #expect(problem.type == "urn:emporium:problem:storage-unavailable", "\(problem)")
            #expect(problem.detail == "The service cannot store anything right now (its disk is full); nothing was changed. Try again later.")
            #expect(refused?.headers.first(name: "Retry-After") == "30")

            // Reads go on: the catalog, search, a customer's orders, an order, the administrator's views, readiness.
            let confirmed = answers.all.first { $0.status == 201 && !$0.whileFull }?.orderId
            for (path, token) in [
                ("/api/v1/products/p-00001", nil), ("/api/v1/search?q=a", nil), ("/api/v1/orders", probe),
                ("/api/v1/admin/orders/\(confirmed ?? "none")", admin), ("/api/v1/admin/orders?limit=100", admin), ("/ready", nil),
            ] as [(String, String?)] {
                let response = try await server.send(.get, path, token: token)
                #expect(response.status == .ok, "GET \(path) while the disk is full: \(response.status.code) \(response.text)")
            }
            // The background work (relays, sweepers, the saga's recovery) meets the full disk for a while, and the process
            // stays up: a relay that stopped on a storage error used to stop the whole process.
            try await waitUntil("more checkouts are refused while the disk stays full", timeout: .seconds(20)) {
                answers.all.filter { $0.whileFull && $0.status == 503 }.count >= 60
            }
            #expect(server.process.process.isRunning)

            // Room again: the same process takes orders, without a restart.
            try FileManager.default.removeItem(atPath: filler)
            answers.full.store(false, ordering: .releasing)
            let resumedAt = answers.all.count
            try await waitUntil("a checkout is confirmed once the filler is gone", timeout: .seconds(30)) {
                answers.all.dropFirst(resumedAt).contains { $0.status == 201 }
            }
            answers.stop.store(true, ordering: .releasing)
            await load.value

            let all = answers.all
            // Never an undeclared error or a bare upstream failure: 201, 202 or a 503 that says which service could not store.
            // (A shopper that checks out again at once may find its cart emptied by the last order's saga, which takes the
            // bought units out after answering: `409 cart-empty`, the window Docs/architecture.md describes.)
            for answer in all where answer.status != 201 && answer.status != 202 && answer.type != "cart-empty" {
                #expect(
                    answer.status == 503 && answer.type.map { Self.unavailableTypes.contains($0) } == true && answer.retryAfter != nil,
                    "a checkout answered \(answer.status.map(String.init) ?? "nothing"): \(answer.type ?? "") \(answer.detail ?? "")"
                )
                #expect(answer.whileFull || answer.status != 503, "a 503 after the filler was gone: \(answer)")
            }

            // Every order a shopper was told was confirmed, before or during the full disk, is confirmed and paid once the
            // sagas have caught up; the audit is clean and no event was dead-lettered.
            var open = ""
            let finished = await waitUntil(timeout: .seconds(30)) {
                guard let sagas = try? await server.send(.get, "/api/v1/admin/sagas", token: admin) else { return false }
                open = sagas.text
                return sagas.status == .ok && sagas.text.contains("\"sagas\":[]")
            }
            try #require(finished, "sagas still open once the disk had room: \(open)")
            struct Paid: Decodable {
                struct Payment: Decodable {
                    struct Amount: Decodable { var minorUnits: Int }
                    var captured: Amount
                }
                struct Totals: Decodable {
                    var total: Payment.Amount
                }
                var status: String
                var payment: Payment?
                var totals: Totals
            }
            let told = all.filter { $0.status == 201 }.compactMap(\.orderId)
            #expect(told.count >= 4)
            for order in told {
                let response = try await server.send(.get, "/api/v1/admin/orders/\(order)", token: admin)
                let paid = try JSONDecoder().decode(Paid.self, from: Data(response.body))
                #expect(paid.status == "confirmed", "order \(order) was confirmed to a shopper and is \(paid.status)")
                #expect(paid.payment?.captured.minorUnits == paid.totals.total.minorUnits, "order \(order) is not paid in full")
            }
            try await waitUntil("the audit is clean", timeout: .seconds(20)) {
                let audit = try await server.send(.get, "/api/v1/admin/audit", token: admin)
                return audit.status == .ok && audit.text.contains("\"violations\":[]")
            }
            // Every relay is still relaying: each group of each outbox has handled every event (a relay that stopped on a
            // cursor it could not save would leave its group behind for good).
            struct Outboxes: Decodable {
                struct Outbox: Decodable {
                    var module: String
                    var backlog: Int
                }
                var outboxes: [Outbox]
            }
            var behind: [String] = []
            let settled = await waitUntil(timeout: .seconds(20)) {
                guard let response = try? await server.send(.get, "/admin/outbox", token: admin),
                    let view = try? JSONDecoder().decode(Outboxes.self, from: Data(response.body))
                else { return false }
                behind = view.outboxes.filter { $0.backlog > 0 }.map(\.module)
                return behind.isEmpty
            }
            #expect(settled, "outboxes with events not yet handled: \(behind)")
            let letters = try await server.send(.get, "/admin/dead-letters", token: admin)
            #expect(letters.status == .ok && letters.text.contains("\"deadLetters\":[]"), "\(letters.text)")
        }

        /// Writes zeros to `path` until the file system refuses; the bytes written.
        static func fill(_ path: String) throws -> Int {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            let chunk = [UInt8](repeating: 0, count: 64 * 1024)
            var written = 0
            for size in [chunk.count, 4096, 1] {
                while true {
                    let count = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
                    guard count > 0 else { break }
                    written += count
                }
            }
            #expect(errno == ENOSPC, "the filler stopped on errno \(errno), not ENOSPC")
            return written
        }

        /// Buys one unit of a product after another until told to stop, recording each checkout's answer.
        static func shop(token: String, addressId: String, index: Int, port: Int, answers: Answers) async {
            guard let client = try? HTTPClient() else { return }
            defer { client.shutdown() }
            var connection: HTTPClientConnection?
            func send(_ method: HTTPMethod, _ target: String, key: String? = nil, json: some Encodable) async -> HTTPClientResponse? {
                var headers: HTTPHeaders = ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]
                if let key { headers.add(name: "Idempotency-Key", value: key) }
                do {
                    if connection == nil { connection = try await client.connect(port: port, timeout: .seconds(5)) }
                    return try await connection?.send(
                        method,
                        target,
                        headers: headers,
                        body: Array(try JSONEncoder().encode(json)),
                        timeout: .seconds(20)
                    )
                } catch {
                    await connection?.close()
                    connection = nil
                    return nil
                }
            }
            let card = CardBody(number: "4242424242424242", expMonth: 12, expYear: 2031, cvc: "123")
            var round = 0
            while !answers.stop.load(ordering: .acquiring) && !Task.isCancelled {
                round += 1
                let product = products[(index + round) % products.count]
                _ = await send(.post, "/api/v1/cart/items", json: Item(productId: product, quantity: 1))
                let whileFull = answers.full.load(ordering: .acquiring)
                let response = await send(
                    .post,
                    "/api/v1/checkout",
                    key: "full-disk-\(index)-\(round)",
                    json: CheckoutBody(addressId: addressId, card: card)
                )
                var answer = Answer(status: response.map { $0.status.code }, whileFull: whileFull || answers.full.load(ordering: .acquiring))
                if let response {
                    answer.retryAfter = response.headers.first(name: "Retry-After")
                    if response.status.code == 201 || response.status.code == 202 {
                        answer.orderId = try? JSONDecoder().decode(OrderSummary.self, from: Data(response.body)).id
                    } else if let problem = try? JSONDecoder().decode(ProblemBody.self, from: Data(response.body)) {
                        answer.type = problem.type.replacingOccurrences(of: "urn:emporium:problem:", with: "")
                        answer.detail = problem.detail
                        answer.orderId = problem.orderId
                    }
                }
                // A refused checkout keeps the cart; the next round adds one more unit and tries again with a new key.
                answers.add(answer)
            }
            await connection?.close()
        }

        struct Item: Encodable {
            var productId: String
            var quantity: Int
        }

        struct ProblemBody: Decodable {
            var type: String
            var detail: String
            var orderId: String?
        }
    }
}
