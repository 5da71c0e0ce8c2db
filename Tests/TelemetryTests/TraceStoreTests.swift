import Foundation
import Telemetry
import Testing

@Suite struct TraceStoreTests {
    @Test func evictsTheOldestTraceBeyondCapacity() {
        let store = TraceStore(maxTraces: 3)
        let tracer = Tracer(service: "test", store: store)

        let ids = (0..<5).map { index in
            tracer.withSpan("request-\(index)") { $0.context.traceID }
        }

        let recent = store.recentTraces()
        #expect(recent.map(\.traceID) == [ids[4], ids[3], ids[2]])
        #expect(store.trace(id: ids[0]) == nil)
        #expect(store.trace(id: ids[1]) == nil)
        #expect(store.recentTraces(limit: 2).map(\.traceID) == [ids[4], ids[3]])
        #expect(store.recentTraces(limit: 0).isEmpty)
        #expect(recent.first?.spans.first?.operationName == "request-4")
    }

    @Test func spansOfAKnownTraceDoNotEvictOtherTraces() {
        let store = TraceStore(maxTraces: 2)
        let tracer = Tracer(service: "test", store: store)

        let first = tracer.startSpan("first")
        let second = tracer.withSpan("second") { $0.context.traceID }
        tracer.startSpan("first-child-a", parent: first.context).end()
        tracer.startSpan("first-child-b", parent: first.context).end()
        first.end()

        #expect(store.recentTraces().count == 2)
        #expect(store.trace(id: second) != nil)
        #expect(store.trace(id: first.context.traceID)?.spans.count == 3)
    }

    @Test func boundsSpansPerTraceButKeepsTheRootThatEndsLast() throws {
        let store = TraceStore(maxSpansPerTrace: 4)
        let tracer = Tracer(service: "test", store: store)

        let traceID = tracer.withSpan("root") { root in
            for index in 0..<10 {
                tracer.withSpan("child-\(index)") { _ in }
            }
            return root.context.traceID
        }

        let trace = try #require(store.trace(id: traceID))
        #expect(trace.spans.count == 4)
        #expect(trace.droppedSpanCount == 7)
        #expect(trace.rootSpan?.operationName == "root")
        #expect(trace.spans.map(\.operationName) == ["root", "child-0", "child-1", "child-2"])
    }

    @Test func removeAllEmptiesTheStore() {
        let store = TraceStore()
        let tracer = Tracer(service: "test", store: store)
        tracer.withSpan("work") { _ in }
        #expect(store.recentTraces().count == 1)
        store.removeAll()
        #expect(store.recentTraces().isEmpty)
    }
}
