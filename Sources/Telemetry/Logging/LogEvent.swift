public import Foundation

/// One log record as a ``LogHandler`` receives it.
///
/// The ``Logger`` builds it only for records at or above its level, after evaluating the message and
/// metadata autoclosures, and captures the time and the active ``TraceContext`` in the calling task.
public struct LogEvent: Sendable {
    /// The label of the logger that made the record.
    public var label: String
    /// The severity of the record.
    public var level: Logger.Level
    /// The message text.
    public var message: Logger.Message
    /// The metadata passed to this call only; the handler merges its own metadata under it.
    public var metadata: Logger.Metadata?
    /// The subsystem that logged, by default the calling module.
    public var source: String
    /// The calling file, as `#fileID`.
    public var file: String
    /// The calling function.
    public var function: String
    /// The calling line.
    public var line: UInt
    /// The trace context active in the calling task, or `nil` outside any span.
    public var traceContext: TraceContext?
    /// When the record was made.
    public var time: Date

    /// Creates a record; ``Logger`` does this for you.
    ///
    /// - Parameters:
    ///   - label: The label of the logger.
    ///   - level: The severity.
    ///   - message: The message text.
    ///   - metadata: Metadata for this record only.
    ///   - source: The subsystem that logged.
    ///   - file: The calling file.
    ///   - function: The calling function.
    ///   - line: The calling line.
    ///   - traceContext: The active trace context, if any.
    ///   - time: When the record was made.
    public init(
        label: String,
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata?,
        source: String,
        file: String,
        function: String,
        line: UInt,
        traceContext: TraceContext?,
        time: Date = Date()
    ) {
        self.label = label
        self.level = level
        self.message = message
        self.metadata = metadata
        self.source = source
        self.file = file
        self.function = function
        self.line = line
        self.traceContext = traceContext
        self.time = time
    }
}
