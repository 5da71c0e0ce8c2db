import Foundation

extension Logger {
    /// The severity of a log record, from ``trace`` (least severe) to ``critical`` (most severe).
    ///
    /// Levels compare by severity, so `level >= logger.logLevel` means "emitted". The raw value is the
    /// lowercase name that ``JSONLinesLogHandler`` prints and that ``init(_:)`` parses.
    public enum Level: String, Codable, CaseIterable, Sendable {
        /// Step-by-step detail, normally off.
        case trace
        /// Detail useful while debugging.
        case debug
        /// Normal operation worth recording.
        case info
        /// A normal but significant condition.
        case notice
        /// Something unexpected that the service survived.
        case warning
        /// An operation failed.
        case error
        /// The service cannot go on as it should.
        case critical

        @usableFromInline
        var severity: Int {
            switch self {
            case .trace: 0
            case .debug: 1
            case .info: 2
            case .notice: 3
            case .warning: 4
            case .error: 5
            case .critical: 6
            }
        }
    }
}

extension Logger.Level: Comparable {
    /// Orders levels by severity: `.trace < .debug < … < .critical`.
    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.severity < rhs.severity
    }
}

extension Logger.Level: LosslessStringConvertible {
    /// The lowercase name of the level, for example `"info"`.
    public var description: String {
        self.rawValue
    }

    /// Parses a level name case-insensitively, ignoring surrounding whitespace, for command-line flags.
    ///
    /// `Logger.Level("DEBUG")` is ``debug``; an unknown name gives `nil`.
    ///
    /// - Parameter description: A level name such as `"info"` or `"Warning"`.
    public init?(_ description: String) {
        let name = description.trimmingCharacters(in: .whitespaces).lowercased()
        self.init(rawValue: name)
    }
}
