/// A ``LogHandler`` that writes each record as one JSON object per line.
///
/// Every line has the keys `time` (RFC 3339, UTC, microseconds), `level`, `service` (the logger's label)
/// and `message`; `trace_id` and `span_id` when the record was made inside a span; and `fields`, an object
/// with the merged metadata, when there is any. Keys of `fields` are sorted, so lines are stable:
///
/// ```json
/// {"time":"2025-03-01T09:30:00.250000Z","level":"info","service":"catalog","message":"product updated","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","fields":{"sku":"A-1"}}
/// ```
///
/// Copies of a handler share their ``output``, which writes whole lines one at a time.
public struct JSONLinesLogHandler: LogHandler {
    /// Where lines go; shared by all copies of this handler.
    public let output: LogOutput

    /// The least severe level written; lower records are dropped before they are formatted.
    public var logLevel: Logger.Level

    /// Metadata written under `fields` in every line; per-call metadata wins on equal keys.
    public var metadata: Logger.Metadata

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - output: Where to write lines; standard error by default.
    ///   - logLevel: The least severe level written; ``Logger/Level/info`` by default.
    ///   - metadata: Metadata written in every line.
    public init(output: LogOutput = .standardError, logLevel: Logger.Level = .info, metadata: Logger.Metadata = [:]) {
        self.output = output
        self.logLevel = logLevel
        self.metadata = metadata
    }

    /// Formats the record and writes it to ``output`` as one line.
    ///
    /// - Parameter event: The record.
    public func log(event: LogEvent) {
        self.output.write(line: self.format(event))
    }

    /// Formats a record as the single-line JSON object this handler writes, without the newline.
    ///
    /// - Parameter event: The record.
    /// - Returns: A JSON object on one line: raw newlines in messages and values are escaped.
    public func format(_ event: LogEvent) -> String {
        var fields = self.metadata
        if let extra = event.metadata {
            fields.merge(extra) { _, callValue in callValue }
        }

        var writer = JSONLineWriter()
        writer.beginObject()
        writer.field("time", RFC3339.format(event.time))
        writer.field("level", event.level.rawValue)
        writer.field("service", event.label)
        writer.field("message", event.message.description)
        if let context = event.traceContext {
            writer.field("trace_id", context.traceID.description)
            writer.field("span_id", context.spanID.description)
        }
        if !fields.isEmpty {
            writer.key("fields")
            writer.metadata(fields)
        }
        writer.endObject()
        return writer.line
    }
}
