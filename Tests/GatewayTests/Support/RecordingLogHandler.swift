import Synchronization
import Telemetry

/// Keeps every record it gets, for tests that read log lines.
struct RecordingLogHandler: LogHandler {
    final class Records: Sendable {
        private let events = Mutex<[LogEvent]>([])

        func append(_ event: LogEvent) { events.withLock { $0.append(event) } }

        var all: [LogEvent] { events.withLock { $0 } }
    }

    let records: Records
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    func log(event: LogEvent) { records.append(event) }
}
