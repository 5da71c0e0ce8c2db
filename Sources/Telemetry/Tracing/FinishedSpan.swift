public import Foundation

/// An immutable record of an ended ``Span``, as the ``TraceStore`` keeps it.
public struct FinishedSpan: Sendable, Hashable {
    /// The trace the span belongs to.
    public var traceID: TraceID
    /// The span's own id.
    public var spanID: SpanID
    /// The parent span's id, or `nil` for the root of a trace.
    public var parentSpanID: SpanID?
    /// What the span measured, for example `"catalog.get-product"`.
    public var operationName: String
    /// The span's role in the call.
    public var kind: SpanKind
    /// The service of the tracer that made the span.
    public var service: String
    /// The wall-clock time the span started.
    public var startTime: Date
    /// How long the span ran, from the tracer's monotonic clock.
    public var duration: Duration
    /// The attributes set on the span.
    public var attributes: SpanAttributes
    /// The span's outcome.
    public var status: SpanStatus
    /// The events added to the span, in the order they were added.
    public var events: [SpanEvent]

    /// Creates a record; ``Span/end()`` does this for you.
    ///
    /// - Parameters:
    ///   - traceID: The trace id.
    ///   - spanID: The span id.
    ///   - parentSpanID: The parent span id, or `nil` for a root span.
    ///   - operationName: What the span measured.
    ///   - kind: The span's role.
    ///   - service: The service that made the span.
    ///   - startTime: The wall-clock start time.
    ///   - duration: How long the span ran.
    ///   - attributes: The span's attributes.
    ///   - status: The span's outcome.
    ///   - events: The span's events.
    public init(
        traceID: TraceID,
        spanID: SpanID,
        parentSpanID: SpanID?,
        operationName: String,
        kind: SpanKind,
        service: String,
        startTime: Date,
        duration: Duration,
        attributes: SpanAttributes,
        status: SpanStatus,
        events: [SpanEvent]
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.operationName = operationName
        self.kind = kind
        self.service = service
        self.startTime = startTime
        self.duration = duration
        self.attributes = attributes
        self.status = status
        self.events = events
    }

    /// The wall-clock time the span ended: ``startTime`` plus ``duration``.
    public var endTime: Date {
        self.startTime.addingTimeInterval(self.duration / .seconds(1))
    }
}
