import Foundation
import Identity
import IdentityAPI
import Messaging
import ModuleKit
import Storage

/// Identity figures: logins per second (dominated by yescrypt's verification) at the default cost and its
/// neighbours, from two concurrent callers, so the cost can be chosen with numbers.
struct IdentitySuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        for cost in [3, 5, 7] {
            let scratch = try ScratchDirectory()
            let database = try Database(path: scratch.path("identity.sqlite"))
            try Module.identity.migrate(database)
            let service = SQLiteIdentityService(
                database: database,
                outbox: Outbox(database: database, name: "identity"),
                configuration: .init(signingSecret: Array(repeating: 7, count: 32), passwordCost: cost, maxFailedLogins: 1_000_000)
            )
            _ = try await service.register(Registration(email: "bench@example.com", password: "benchmark password"))
            try await reportMedian("identity.login.cost-\(cost)", unit: "logins/s", options: options) {
                let clock = ContinuousClock()
                let start = clock.now
                let deadline = start + options.runDuration
                let logins = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            var count = 0
                            repeat {
                                _ = try await service.login(Credentials(email: "bench@example.com", password: "benchmark password"))
                                count += 1
                            } while clock.now < deadline
                            return count
                        }
                    }
                    return try await group.reduce(0, +)
                }
                return Double(logins) / ((clock.now - start) / .seconds(1))
            }
        }
    }
}
