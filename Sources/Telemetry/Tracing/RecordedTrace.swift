public import Foundation

/// The finished spans of one trace, as ``TraceStore/recentTraces(limit:)`` returns them.
public struct RecordedTrace: Sendable, Hashable {
    /// The trace's id.
    public var traceID: TraceID
    /// The finished spans, ordered by start time (ties keep arrival order).
    public var spans: [FinishedSpan]
    /// How many spans the store dropped because the trace already held its maximum.
    public var droppedSpanCount: Int

    /// Creates a trace record.
    ///
    /// - Parameters:
    ///   - traceID: The trace's id.
    ///   - spans: The finished spans, ordered by start time.
    ///   - droppedSpanCount: How many spans were dropped.
    public init(traceID: TraceID, spans: [FinishedSpan], droppedSpanCount: Int = 0) {
        self.traceID = traceID
        self.spans = spans
        self.droppedSpanCount = droppedSpanCount
    }

    /// The span without a parent, if it has ended; `nil` while the root is still running.
    public var rootSpan: FinishedSpan? {
        self.spans.first { $0.parentSpanID == nil }
    }

    /// The earliest start time of the trace's spans.
    public var startTime: Date? {
        self.spans.lazy.map(\.startTime).min()
    }

    /// The time from the earliest span start to the latest span end.
    ///
    /// Each span's start is placed relative to the trace's start to the microsecond (wall-clock precision);
    /// its own duration is exact.
    public var duration: Duration {
        guard let start = self.startTime else { return .zero }
        return self.spans.map { span in
            .microseconds(Int64((span.startTime.timeIntervalSince(start) * 1e6).rounded())) + span.duration
        }.max() ?? .zero
    }
}
