import ServiceKit
import Storage
import Telemetry

/// Truncates the recommendations database's write-ahead log after an anonymisation commits
/// (`wal_checkpoint(TRUNCATE)`), so that no earlier version of a page holding the deleted customer's id survives in the
/// log.
///
/// The anonymisation runs inside the inbox's batch transaction, where the log cannot be checkpointed; it asks for a
/// truncation once it has committed (``Requests/request()``), and this service, waiting for requests, makes it.
/// Requests made while one truncation runs are folded into the next.
struct ErasureLogTruncator: Service {
    /// Requests for a truncation, made after an erasure's commit.
    final class Requests: Sendable {
        fileprivate let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }

        /// Asks for the log to be truncated soon.
        func request() {
            continuation.yield()
        }
    }

    let name = "recommendations-erasure-log"
    let database: Database
    let requests: Requests
    let logger: Logger

    func run() async throws {
        for await _ in requests.stream {
            do {
                if try await !database.truncateLog() {
                    logger.warning("the database log was not truncated after an erasure: a reader held an old snapshot")
                }
            } catch {
                logger.error("truncating the database log after an erasure failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
