import Synchronization

/// A bounded in-memory store of recently finished traces, for the dashboard's trace timeline.
///
/// The store keeps at most ``maxTraces`` traces. When a span of a new trace arrives and the store is
/// full, the trace that arrived first is evicted. Each trace keeps at most ``maxSpansPerTrace`` spans; one
/// place is held for the root span (the span without a parent), which ends last, so the top of the
/// timeline survives a busy trace. Spans beyond the limit are dropped and counted in
/// ``RecordedTrace/droppedSpanCount``.
///
/// A span of an evicted trace that ends later starts a new entry holding only the spans that arrive
/// after the eviction.
public final class TraceStore: Sendable {
    private struct State {
        var traces: [TraceID: RecordedTrace] = [:]
        // Trace ids in arrival order, oldest first.
        var order: [TraceID] = []
    }

    /// The most traces kept; older ones are evicted first.
    public let maxTraces: Int
    /// The most spans kept per trace.
    public let maxSpansPerTrace: Int

    private let state = Mutex(State())

    /// Creates an empty store.
    ///
    /// - Parameters:
    ///   - maxTraces: The most traces kept; at least 1.
    ///   - maxSpansPerTrace: The most spans kept per trace; at least 1.
    public init(maxTraces: Int = 100, maxSpansPerTrace: Int = 500) {
        precondition(maxTraces >= 1, "TraceStore needs room for at least one trace")
        precondition(maxSpansPerTrace >= 1, "TraceStore needs room for at least one span per trace")
        self.maxTraces = maxTraces
        self.maxSpansPerTrace = maxSpansPerTrace
    }

    /// Adds a finished span to its trace, evicting the oldest trace if a new one does not fit.
    ///
    /// - Parameter span: The finished span; ``Tracer`` records every span it ends here.
    public func record(_ span: FinishedSpan) {
        self.state.withLock { state in
            var trace: RecordedTrace
            if let existing = state.traces.removeValue(forKey: span.traceID) {
                trace = existing
            } else {
                if state.order.count >= self.maxTraces {
                    let evicted = state.order.removeFirst()
                    state.traces[evicted] = nil
                }
                state.order.append(span.traceID)
                trace = RecordedTrace(traceID: span.traceID, spans: [])
            }
            let count = trace.spans.count
            let fits =
                count < self.maxSpansPerTrace - 1
                || (count < self.maxSpansPerTrace && (span.parentSpanID == nil || trace.rootSpan != nil))
            if fits {
                let index = trace.spans.firstIndex { $0.startTime > span.startTime } ?? trace.spans.endIndex
                trace.spans.insert(span, at: index)
            } else {
                trace.droppedSpanCount += 1
            }
            state.traces[span.traceID] = trace
        }
    }

    /// The most recent traces, newest first.
    ///
    /// A trace's place is set by the arrival of its first finished span; its spans are ordered by start time.
    ///
    /// - Parameter limit: The most traces to return; all stored traces when `nil`.
    /// - Returns: Snapshots of the stored traces.
    public func recentTraces(limit: Int? = nil) -> [RecordedTrace] {
        self.state.withLock { state in
            let ids = state.order.reversed().prefix(max(0, limit ?? state.order.count))
            return ids.compactMap { state.traces[$0] }
        }
    }

    /// The stored trace with the given id, or `nil` if it was never recorded or has been evicted.
    ///
    /// - Parameter id: The trace id.
    public func trace(id: TraceID) -> RecordedTrace? {
        self.state.withLock { $0.traces[id] }
    }

    /// Removes every stored trace.
    public func removeAll() {
        self.state.withLock { $0 = State() }
    }
}
