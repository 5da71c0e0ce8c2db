/// A value that emits structured log records through a ``LogHandler``.
///
/// A logger is a value: copy it, change its ``logLevel`` or metadata, and only the copy changes.
/// Messages and metadata are autoclosures, so a record below ``logLevel`` costs a comparison and
/// nothing is formatted.
///
/// ```swift
/// var logger = Logger(label: "catalog", handler: JSONLinesLogHandler(output: .standardError))
/// logger[metadataKey: "request"] = "\(requestID)"
/// logger.info("product updated", metadata: ["sku": "\(sku)"])
/// ```
///
/// Records written while a span is active (inside ``Tracer/withSpan(_:kind:parent:isolation:_:)``)
/// carry that span's ``TraceContext``, so handlers can print `trace_id` and `span_id`.
public struct Logger: Sendable {
    /// Identifies who logs: a service, a module or a type. ``JSONLinesLogHandler`` prints it as `service`.
    public let label: String

    /// The handler that receives every record at or above ``logLevel``.
    public var handler: any LogHandler

    /// Creates a logger that hands its records to `handler`.
    ///
    /// - Parameters:
    ///   - label: Identifies who logs, printed as `service` by ``JSONLinesLogHandler``.
    ///   - handler: Receives the records; its `logLevel` is the logger's level.
    public init(label: String, handler: any LogHandler) {
        self.label = label
        self.handler = handler
    }

    /// Creates a logger that writes JSON lines to standard error at level ``Level/info``.
    ///
    /// - Parameter label: Identifies who logs, printed as `service`.
    public init(label: String) {
        self.init(label: label, handler: JSONLinesLogHandler(output: .standardError, logLevel: .info))
    }

    /// The least severe level this logger emits; anything below is dropped without being formatted.
    public var logLevel: Level {
        get { self.handler.logLevel }
        set { self.handler.logLevel = newValue }
    }

    /// Reads or writes one metadata entry attached to every record of this logger.
    ///
    /// Metadata passed to a single call wins over an entry with the same key set here.
    public subscript(metadataKey key: String) -> MetadataValue? {
        get { self.handler[metadataKey: key] }
        set { self.handler[metadataKey: key] = newValue }
    }

    /// Logs a message at the level you pass, if that level is at least ``logLevel``.
    ///
    /// - Parameters:
    ///   - level: The severity of the record.
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func log(
        level: Level,
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        guard level >= self.handler.logLevel else { return }
        self.emit(
            level: level,
            message: message(),
            metadata: metadata(),
            source: source(),
            file: file,
            function: function,
            line: line
        )
    }

    @usableFromInline
    func emit(level: Level, message: Message, metadata: Metadata?, source: String?, file: String, function: String, line: UInt) {
        let event = LogEvent(
            label: self.label,
            level: level,
            message: message,
            metadata: metadata,
            source: source ?? Self.module(fileID: file),
            file: file,
            function: function,
            line: line,
            traceContext: TraceContext.current
        )
        self.handler.log(event: event)
    }

    private static func module(fileID: String) -> String {
        guard let slash = fileID.firstIndex(of: "/") else { return "n/a" }
        return String(fileID[..<slash])
    }
}

extension Logger {
    /// Logs a message at level ``Level/trace``: step-by-step detail, normally off.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func trace(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .trace, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/debug``: detail useful while debugging.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func debug(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .debug, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/info``: normal operation worth recording.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func info(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .info, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/notice``: a normal but significant condition.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func notice(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .notice, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/warning``: something unexpected that the service survived.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func warning(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .warning, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/error``: an operation failed.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func error(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .error, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs a message at level ``Level/critical``: the service cannot go on as it should.
    ///
    /// - Parameters:
    ///   - message: The message; evaluated only if the record is emitted.
    ///   - metadata: Extra fields for this record only; evaluated only if the record is emitted.
    ///   - source: The subsystem that logs; defaults to the calling module.
    ///   - file: The calling file; leave the default.
    ///   - function: The calling function; leave the default.
    ///   - line: The calling line; leave the default.
    @inlinable
    public func critical(
        _ message: @autoclosure () -> Message,
        metadata: @autoclosure () -> Metadata? = nil,
        source: @autoclosure () -> String? = nil,
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        self.log(level: .critical, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }
}
