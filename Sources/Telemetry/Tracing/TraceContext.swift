/// The identity of the active span: its trace id, its own span id and the trace flags.
///
/// ``Tracer/withSpan(_:kind:parent:isolation:_:)`` binds the span's context to ``current`` for the duration of
/// its body, so spans started and records logged anywhere inside (across `await`s and in child tasks)
/// join the same trace.
public struct TraceContext: Sendable, Hashable {
    /// The trace the span belongs to.
    public var traceID: TraceID
    /// The span's own id: the parent id of spans started inside it.
    public var spanID: SpanID
    /// The trace flags propagated to child spans and outgoing headers.
    public var flags: TraceFlags

    /// Creates a context from its fields.
    ///
    /// - Parameters:
    ///   - traceID: The trace id.
    ///   - spanID: The span id.
    ///   - flags: The trace flags; sampled by default.
    public init(traceID: TraceID, spanID: SpanID, flags: TraceFlags = .sampled) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// Creates a context from an incoming `traceparent` header, to use as the parent of a server span.
    ///
    /// - Parameter traceParent: The parsed header.
    public init(_ traceParent: TraceParent) {
        self.init(traceID: traceParent.traceID, spanID: traceParent.spanID, flags: traceParent.flags)
    }

    /// The `traceparent` header to send on outgoing calls made within this span.
    public var traceParent: TraceParent {
        TraceParent(traceID: self.traceID, spanID: self.spanID, flags: self.flags)
    }

    /// The context of the span active in the current task, or `nil` outside any span.
    ///
    /// Set it with `TraceContext.$current.withValue(_:operation:)`, or let ``Tracer/withSpan(_:kind:parent:isolation:_:)``
    /// do it.
    @TaskLocal public static var current: TraceContext?
}
