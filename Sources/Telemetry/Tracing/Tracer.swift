import Synchronization

/// Starts spans for one service and records the ended ones in a ``TraceStore``.
///
/// Use ``withSpan(_:kind:parent:isolation:_:)`` around a unit of work: it starts a span, makes it the
/// current span for everything the body does (child spans, log records, child tasks), records a thrown
/// error, and ends the span.
///
/// ```swift
/// let tracer = Tracer(service: "catalog", store: store)
/// let product = try await tracer.withSpan("catalog.get-product", kind: .server) { span in
///     span["product.id"] = "\(id)"
///     return try await repository.product(id)  // spans started in here are children
/// }
/// ```
///
/// Sampling: a span with a parent follows the parent's sampled flag (an incoming `traceparent` included). A new
/// trace is sampled unless the tracer has already started `maxTracesPerSecond` traces in the current second, so
/// at human pace every trace is kept while a load test pays for only a few. Unsampled spans still propagate
/// their context, so trace ids stay in headers and logs, but they record nothing.
public final class Tracer: Sendable {
    /// The service name written on every span, for example `"catalog"`.
    public let service: String
    /// Where ended spans are recorded.
    public let store: TraceStore
    /// Where span times come from.
    public let clock: TracerClock
    /// The most new traces sampled per second; `nil` samples every one.
    public let maxTracesPerSecond: Int?
    private let budget = Mutex<(second: Int64, started: Int)>((0, 0))

    /// Creates a tracer.
    ///
    /// - Parameters:
    ///   - service: The service name written on every span.
    ///   - store: Where ended spans are recorded; a new store by default.
    ///   - clock: Where span times come from; the system clocks by default.
    ///   - maxTracesPerSecond: The most new traces sampled per second; `nil` (the default) samples every one.
    public init(service: String, store: TraceStore = TraceStore(), clock: TracerClock = .continuous, maxTracesPerSecond: Int? = nil) {
        precondition(maxTracesPerSecond.map { $0 >= 0 } ?? true, "a trace budget cannot be negative")
        self.service = service
        self.store = store
        self.clock = clock
        self.maxTracesPerSecond = maxTracesPerSecond
    }

    /// Whether a new trace starting now is sampled.
    private func sampleNewTrace() -> Bool {
        guard let limit = maxTracesPerSecond else { return true }
        let second = self.clock.monotonic().components.seconds
        return self.budget.withLock { budget in
            if budget.second != second { budget = (second, 0) }
            guard budget.started < limit else { return false }
            budget.started += 1
            return true
        }
    }

    /// Starts a span that the caller must end with ``Span/end()``.
    ///
    /// The span does not become current; to start children of it, pass its ``Span/context`` as their
    /// `parent`, or prefer ``withSpan(_:kind:parent:isolation:_:)``.
    ///
    /// - Parameters:
    ///   - operationName: What the span measures, for example `"inventory.reserve"`.
    ///   - kind: The span's role in the call.
    ///   - parent: The parent's context: by default the current span's (``TraceContext/current``), or
    ///     one built from an incoming `traceparent` header. `nil` starts a new trace.
    /// - Returns: The running span.
    public func startSpan(_ operationName: String, kind: SpanKind = .internal, parent: TraceContext? = TraceContext.current) -> Span {
        let context = TraceContext(
            traceID: parent?.traceID ?? TraceID.random(),
            spanID: SpanID.random(),
            flags: parent?.flags ?? (self.sampleNewTrace() ? .sampled : [])
        )
        return Span(
            operationName: operationName,
            context: context,
            parentSpanID: parent?.spanID,
            kind: kind,
            service: self.service,
            clock: self.clock,
            store: self.store
        )
    }

    /// Runs `body` inside a new span that is current for the body's duration, then ends the span.
    ///
    /// If `body` throws, the error is recorded on the span (see ``Span/recordError(_:attributes:)``) and
    /// rethrown.
    ///
    /// - Parameters:
    ///   - operationName: What the span measures.
    ///   - kind: The span's role in the call.
    ///   - parent: The parent's context; by default the current span's. `nil` starts a new trace.
    ///   - body: The work to measure; receives the span.
    /// - Returns: What `body` returns.
    public func withSpan<T>(
        _ operationName: String,
        kind: SpanKind = .internal,
        parent: TraceContext? = TraceContext.current,
        _ body: (Span) throws -> T
    ) rethrows -> T {
        let span = self.startSpan(operationName, kind: kind, parent: parent)
        defer { span.end() }
        do {
            return try TraceContext.$current.withValue(span.context) { try body(span) }
        } catch {
            span.recordError(error)
            throw error
        }
    }

    /// Runs asynchronous `body` inside a new span that is current for the body's duration, across its
    /// `await`s and in its child tasks, then ends the span.
    ///
    /// If `body` throws, the error is recorded on the span (see ``Span/recordError(_:attributes:)``) and
    /// rethrown. The body runs in the caller's isolation.
    ///
    /// - Parameters:
    ///   - operationName: What the span measures.
    ///   - kind: The span's role in the call.
    ///   - parent: The parent's context; by default the current span's. `nil` starts a new trace.
    ///   - isolation: The caller's actor; leave the default.
    ///   - body: The work to measure; receives the span.
    /// - Returns: What `body` returns.
    public func withSpan<T>(
        _ operationName: String,
        kind: SpanKind = .internal,
        parent: TraceContext? = TraceContext.current,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Span) async throws -> T
    ) async rethrows -> T {
        let span = self.startSpan(operationName, kind: kind, parent: parent)
        defer { span.end() }
        do {
            return try await TraceContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            throw error
        }
    }
}
