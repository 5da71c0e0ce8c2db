public import Foundation
import Synchronization

/// One timed operation in a trace, started by a ``Tracer``.
///
/// A span is a reference: the code that runs inside it sets attributes, adds events and records errors
/// from any task, then someone calls ``end()`` once (``Tracer/withSpan(_:kind:parent:isolation:_:)`` does it
/// for you). On end the span is written to the tracer's ``TraceStore``; later changes are ignored.
///
/// ```swift
/// try await tracer.withSpan("inventory.reserve", kind: .server) { span in
///     span["product.sku"] = "\(sku)"
///     try await reserve(sku)
/// }
/// ```
public final class Span: Sendable {
    private struct State {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var status: SpanStatus = .unset
        var events: [SpanEvent] = []
        var isEnded = false
    }

    /// The span's identity; pass it as the parent of spans started in other places.
    public let context: TraceContext
    /// The parent span's id, or `nil` if this span is the root of its trace.
    public let parentSpanID: SpanID?
    /// The span's role in the call.
    public let kind: SpanKind
    /// The service of the tracer that started the span.
    public let service: String
    /// The wall-clock time the span started.
    public let startTime: Date

    private let startInstant: Duration
    private let clock: TracerClock
    private let store: TraceStore
    private let state: Mutex<State>
    /// Whether the trace is sampled (``TraceFlags/sampled``): an unsampled span still carries its context to
    /// children and to `traceparent` headers, but keeps nothing and is not recorded.
    private let sampled: Bool

    init(
        operationName: String,
        context: TraceContext,
        parentSpanID: SpanID?,
        kind: SpanKind,
        service: String,
        clock: TracerClock,
        store: TraceStore
    ) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.service = service
        self.clock = clock
        self.store = store
        self.startTime = clock.wallClock()
        self.startInstant = clock.monotonic()
        self.state = Mutex(State(operationName: operationName))
        self.sampled = context.flags.contains(.sampled)
    }

    /// What the span measures; may be refined while it runs, for example once an HTTP route is known.
    public var operationName: String {
        get { self.state.withLock { $0.operationName } }
        set { self.update { $0.operationName = newValue } }
    }

    /// The attributes set so far.
    public var attributes: SpanAttributes {
        self.state.withLock { $0.attributes }
    }

    /// Reads or writes one attribute; writing `nil` removes it.
    ///
    /// ```swift
    /// span["http.response.status_code"] = 200
    /// ```
    public subscript(key: String) -> SpanAttribute? {
        get { self.state.withLock { $0.attributes[key] } }
        set { self.update { $0.attributes[key] = newValue } }
    }

    /// Sets one attribute; `nil` removes it.
    ///
    /// - Parameters:
    ///   - value: The value.
    ///   - key: The attribute key, for example `"db.operation"`.
    public func setAttribute(_ value: SpanAttribute?, forKey key: String) {
        self.update { $0.attributes[key] = value }
    }

    /// The span's outcome so far.
    public var status: SpanStatus {
        self.state.withLock { $0.status }
    }

    /// Sets the span's outcome.
    ///
    /// - Parameter status: ``SpanStatus/ok`` or ``SpanStatus/error(message:)``.
    public func setStatus(_ status: SpanStatus) {
        self.update { $0.status = status }
    }

    /// The events added so far, in the order they were added.
    public var events: [SpanEvent] {
        self.state.withLock { $0.events }
    }

    /// Adds an event stamped with the tracer's wall clock.
    ///
    /// - Parameters:
    ///   - name: What happened.
    ///   - attributes: Details of the event.
    public func addEvent(_ name: String, attributes: SpanAttributes = [:]) {
        self.addEvent(SpanEvent(name: name, time: self.clock.wallClock(), attributes: attributes))
    }

    /// Adds an event.
    ///
    /// - Parameter event: The event.
    public func addEvent(_ event: SpanEvent) {
        self.update { $0.events.append(event) }
    }

    /// Records a failure: adds an `exception` event and sets the status to ``SpanStatus/error(message:)``.
    ///
    /// The event carries `exception.type` and `exception.message` attributes, as in OpenTelemetry.
    ///
    /// - Parameters:
    ///   - error: The error.
    ///   - attributes: More details for the event.
    public func recordError(_ error: any Error, attributes: SpanAttributes = [:]) {
        let message = String(describing: error)
        var details = attributes
        details["exception.type"] = .string(String(reflecting: type(of: error)))
        details["exception.message"] = .string(message)
        let event = SpanEvent(name: "exception", time: self.clock.wallClock(), attributes: details)
        self.update { state in
            state.events.append(event)
            state.status = .error(message: message)
        }
    }

    /// Whether the span still accepts changes: it is sampled and has not ended. Check it before computing
    /// costly attributes.
    public var isRecording: Bool {
        self.sampled && self.state.withLock { !$0.isEnded }
    }

    /// Ends the span and records it in the tracer's ``TraceStore`` if it is sampled; only the first call has an
    /// effect.
    public func end() {
        guard self.sampled else { return }
        let end = self.clock.monotonic()
        let finished: FinishedSpan? = self.state.withLock { state in
            guard !state.isEnded else { return nil }
            state.isEnded = true
            return FinishedSpan(
                traceID: self.context.traceID,
                spanID: self.context.spanID,
                parentSpanID: self.parentSpanID,
                operationName: state.operationName,
                kind: self.kind,
                service: self.service,
                startTime: self.startTime,
                duration: max(.zero, end - self.startInstant),
                attributes: state.attributes,
                status: state.status,
                events: state.events
            )
        }
        if let finished {
            self.store.record(finished)
        }
    }

    private func update(_ change: (inout State) -> Void) {
        guard self.sampled else { return }
        self.state.withLock { state in
            guard !state.isEnded else { return }
            change(&state)
        }
    }
}
