/// A destination for log records: formats and writes what a ``Logger`` emits.
///
/// A handler is a value with its own level and metadata, like swift-log's `LogHandler`, so adapters to
/// other back ends can be written later. Implementations must be cheap to copy and safe to call from
/// many tasks at once; put shared state such as an output stream behind a lock (see ``LogOutput``).
public protocol LogHandler: Sendable {
    /// The least severe level the handler emits. ``Logger`` checks it before building a record.
    var logLevel: Logger.Level { get set }

    /// Metadata attached to every record; per-call metadata wins on equal keys.
    var metadata: Logger.Metadata { get set }

    /// Reads or writes one entry of ``metadata``.
    subscript(metadataKey key: String) -> Logger.MetadataValue? { get set }

    /// Writes one record. Called only for records at or above ``logLevel``.
    ///
    /// - Parameter event: The record, with its message and metadata already evaluated.
    func log(event: LogEvent)
}

extension LogHandler {
    /// Reads or writes one entry of ``metadata``.
    public subscript(metadataKey key: String) -> Logger.MetadataValue? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }
}
