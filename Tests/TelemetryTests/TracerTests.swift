import Foundation
import Synchronization
import Telemetry
import Testing

@Suite struct TracerTests {
    struct PaymentDeclined: Error, CustomStringConvertible {
        var description: String { "payment declined" }
    }

    @Test func childSpansShareTheTraceAndLinkTheirParentAcrossAwaitsAndChildTasks() async throws {
        let tracer = Tracer(service: "orders")

        let root = await tracer.withSpan("orders.place", kind: .server) { span in
            await Task.yield()
            await tracer.withSpan("after-await") { _ in await Task.yield() }
            async let inChildTask: Void = tracer.withSpan("async-let") { _ in await Task.yield() }
            await withTaskGroup { group in
                group.addTask {
                    await tracer.withSpan("task-group") { child in
                        await Task.yield()
                        // A grandchild links to its own parent, not to the root.
                        tracer.withSpan("grandchild") { _ in }
                        return child.context
                    }
                }
                await group.waitForAll()
            }
            await inChildTask
            return span.context
        }

        #expect(TraceContext.current == nil)
        let trace = try #require(tracer.store.trace(id: root.traceID))
        #expect(trace.spans.count == 5)
        let byName = Dictionary(uniqueKeysWithValues: trace.spans.map { ($0.operationName, $0) })
        let rootSpan = try #require(byName["orders.place"])
        #expect(rootSpan.parentSpanID == nil)
        #expect(rootSpan.spanID == root.spanID)
        #expect(rootSpan.kind == .server)
        for name in ["after-await", "async-let", "task-group"] {
            let child = try #require(byName[name])
            #expect(child.traceID == root.traceID, "\(name)")
            #expect(child.parentSpanID == root.spanID, "\(name)")
            #expect(child.service == "orders")
        }
        #expect(byName["grandchild"]?.parentSpanID == byName["task-group"]?.spanID)
        #expect(trace.rootSpan?.spanID == root.spanID)
    }

    @Test func spansWithoutACurrentSpanStartNewTraces() {
        let tracer = Tracer(service: "test")
        let first = tracer.withSpan("first") { $0.context }
        let second = tracer.withSpan("second") { $0.context }
        #expect(first.traceID != second.traceID)

        let nested = tracer.withSpan("outer") { _ in
            tracer.startSpan("detached-root", parent: nil)
        }
        #expect(nested.parentSpanID == nil)
        nested.end()
    }

    @Test func aSpanContinuesAnIncomingTraceparent() throws {
        let tracer = Tracer(service: "catalog")
        let incoming = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))

        let outgoing = tracer.withSpan("catalog.get-product", kind: .server, parent: TraceContext(incoming)) { span in
            TraceContext.current?.traceParent
        }

        let span = try #require(tracer.store.trace(id: incoming.traceID)?.spans.first)
        #expect(span.parentSpanID == incoming.spanID)
        #expect(outgoing?.traceID == incoming.traceID)
        #expect(outgoing?.spanID == span.spanID)
        #expect(outgoing?.isSampled == true)
    }

    @Test func aThrownErrorIsRecordedAndRethrown() async throws {
        let tracer = Tracer(service: "payments")
        var traceID: TraceID?

        await #expect(throws: PaymentDeclined.self) {
            try await tracer.withSpan("payments.charge") { span in
                traceID = span.context.traceID
                await Task.yield()
                throw PaymentDeclined()
            }
        }

        let id = try #require(traceID)
        let span = try #require(tracer.store.trace(id: id)?.spans.first)
        #expect(span.status == .error(message: "payment declined"))
        let event = try #require(span.events.first)
        #expect(event.name == "exception")
        #expect(event.attributes["exception.message"] == "payment declined")
    }

    @Test func recordErrorSetsTheStatusOfAManualSpan() throws {
        let tracer = Tracer(service: "payments")
        let span: Span = tracer.startSpan("payments.refund")
        span.setStatus(.ok)
        span.recordError(PaymentDeclined(), attributes: ["attempt": 2])
        #expect(span.status == .error(message: "payment declined"))
        span.end()

        let finished = try #require(tracer.store.trace(id: span.context.traceID)?.spans.first)
        #expect(finished.status == .error(message: "payment declined"))
        #expect(finished.events.first?.attributes["attempt"] == 2)
    }

    @Test func attributesStatusAndTimingAreRecordedOnceAtEnd() throws {
        let time = ManualTime()
        let tracer = Tracer(service: "inventory", clock: time.clock)

        let root = tracer.startSpan("inventory.reserve", kind: .server)
        root["product.sku"] = "A-1"
        root.setAttribute(3, forKey: "quantity")
        root["cache.hit"] = true
        root["discarded"] = "x"
        root["discarded"] = nil
        time.advance(by: .milliseconds(10))
        let child = tracer.startSpan("db.update", parent: root.context)
        time.advance(by: .milliseconds(20))
        child.end()
        time.advance(by: .milliseconds(20))
        root.operationName = "inventory.reserve A-1"
        root.setStatus(.ok)
        root.end()
        #expect(!root.isRecording)
        root["late"] = "ignored"
        root.end()

        let trace = try #require(tracer.store.trace(id: root.context.traceID))
        #expect(trace.spans.map(\.operationName) == ["inventory.reserve A-1", "db.update"])
        let rootSpan = trace.spans[0]
        #expect(rootSpan.attributes == ["product.sku": "A-1", "quantity": 3, "cache.hit": true])
        #expect(rootSpan.status == .ok)
        #expect(rootSpan.duration == .milliseconds(50))
        #expect(rootSpan.startTime == time.epoch)
        #expect(trace.spans[1].duration == .milliseconds(20))
        #expect(trace.spans[1].startTime == time.epoch.addingTimeInterval(0.010))
        #expect(trace.spans[1].parentSpanID == root.context.spanID)
        #expect(trace.startTime == time.epoch)
        #expect(trace.duration == .milliseconds(50))
    }
}

extension TracerTests {
    @Test func beyondItsBudgetANewTraceIsNotSampledAndItsSpansRecordNothing() throws {
        let time = ManualTime()
        let tracer = Tracer(service: "gateway", clock: time.clock, maxTracesPerSecond: 2)
        let first = tracer.startSpan("GET /a")
        let second = tracer.startSpan("GET /b")
        let third = tracer.startSpan("GET /c")
        #expect(first.context.flags.contains(.sampled) && second.context.flags.contains(.sampled))
        #expect(!third.context.flags.contains(.sampled))
        #expect(!third.isRecording)
        // Its children follow it, and still share its trace id for propagation.
        let child = tracer.startSpan("call catalog.product", parent: third.context)
        #expect(child.context.traceID == third.context.traceID)
        #expect(!child.context.flags.contains(.sampled))
        third["http.route"] = "/c"
        child.end()
        third.end()
        first.end()
        second.end()
        #expect(Set(tracer.store.recentTraces().compactMap { $0.rootSpan?.operationName }) == ["GET /a", "GET /b"])

        // A new second brings a new budget.
        time.advance(by: .seconds(1))
        #expect(tracer.startSpan("GET /d").context.flags.contains(.sampled))
    }

    @Test func anIncomingUnsampledTraceparentIsFollowed() throws {
        let tracer = Tracer(service: "gateway")
        let incoming = TraceContext(try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")))
        let span = tracer.startSpan("GET /a", parent: incoming)
        #expect(span.context.traceID == incoming.traceID)
        #expect(!span.isRecording)
        span.end()
        #expect(tracer.store.recentTraces().isEmpty)
    }
}

/// A clock the test advances by hand, so span start times and durations are exact.
final class ManualTime: Sendable {
    let epoch = Date(timeIntervalSince1970: 1_700_000_000)
    private let nanoseconds = Atomic<Int64>(0)

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.nanoseconds.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
    }

    var clock: TracerClock {
        TracerClock(
            wallClock: { self.epoch.addingTimeInterval(Double(self.nanoseconds.load(ordering: .relaxed)) / 1e9) },
            monotonic: { .nanoseconds(self.nanoseconds.load(ordering: .relaxed)) }
        )
    }
}
