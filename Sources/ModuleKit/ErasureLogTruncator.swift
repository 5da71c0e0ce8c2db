public import ServiceKit
public import Storage
public import Telemetry

/// Truncates a module database's write-ahead log after an erasure commits (`wal_checkpoint(TRUNCATE)`), so that no
/// earlier version of a page holding an erased person survives in the log.
///
/// An erasure handled from an event runs inside the inbox's batch transaction, where the log cannot be checkpointed;
/// it asks for a truncation once it has committed (``Requests/request()``), and this service, waiting for requests,
/// makes it. Requests made while one truncation runs are folded into the next. A module runs it among its services.
public struct ErasureLogTruncator: Service {
    /// Requests for a truncation, made after an erasure's commit.
    public final class Requests: Sendable {
        fileprivate let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        /// Requests nobody made yet.
        public init() {
            (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }

        /// Asks for the log to be truncated soon.
        public func request() {
            continuation.yield()
        }
    }

    /// `<module>-erasure-log`.
    public let name: String
    let database: Database
    let requests: Requests
    let logger: Logger

    /// The truncator of `module`'s `database`.
    public init(module: String, database: Database, requests: Requests, logger: Logger) {
        name = "\(module)-erasure-log"
        self.database = database
        self.requests = requests
        self.logger = logger
    }

    public func run() async throws {
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
