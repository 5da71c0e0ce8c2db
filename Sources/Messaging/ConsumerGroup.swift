import Foundation
import ServiceKit
import Synchronization
import Telemetry

/// The members of one consumer group, the event types it takes, its lanes, and the delivery loop that drains
/// them. Lanes are chosen by subject alone, so one subject's events stay in order whatever their types.
final class ConsumerGroup: Sendable {
    /// How a member takes its events.
    enum Handler: Sendable {
        case single(EventHandler)
        case batch(BatchEventHandler)

        /// The member as a one-event handler, for retries of single events.
        var single: EventHandler {
            switch self {
            case .single(let handler): handler
            case .batch(let handler): { try await handler([$0]) }
            }
        }
    }

    private struct Members {
        var handlers: [(token: SubscriptionToken, handler: Handler)] = []
        var next = 0
    }

    /// A group's span name and counters for one event type.
    private struct Counters: Sendable {
        let spanName: String
        let delivered: Counter
        let failed: Counter
        let deadLettered: Counter
    }

    let name: String
    let eventTypes: [String]
    let lanes: [Lane]
    private let retry: DeliveryRetry
    private let deadLetters: any DeadLetterStore
    private let clock: any Clock<Duration>
    private let members = Mutex(Members())
    private let unkeyed = Atomic<Int>(0)
    private let tracer: Tracer?
    private let countersByType: [String: Counters]
    /// The counters of a group taking one event type: no lookup per event on the hot path.
    private let onlyCounters: Counters?
    private let handlerDuration: Histogram

    init(subscription: Subscription, deadLetters: any DeadLetterStore, clock: any Clock<Duration>, metrics: MetricsRegistry, tracer: Tracer?) {
        name = subscription.group
        eventTypes = subscription.eventTypes
        let depth = metrics.makeGauge(
            name: "emporium_bus_mailbox_depth",
            labels: [("group", subscription.group)],
            help: "Events waiting in a consumer group's mailboxes."
        )
        lanes = (0..<subscription.concurrency).map { _ in Lane(capacity: subscription.mailboxCapacity, depth: depth) }
        retry = subscription.retry
        self.deadLetters = deadLetters
        self.clock = clock
        self.tracer = tracer
        var counters: [String: Counters] = [:]
        for type in subscription.eventTypes {
            let labels = [("topic", type), ("group", subscription.group)]
            counters[type] = Counters(
                spanName: "handle \(type)",
                delivered: metrics.makeCounter(name: "emporium_bus_delivered_total", labels: labels, help: "Events a consumer group handled."),
                failed: metrics.makeCounter(name: "emporium_bus_failed_total", labels: labels, help: "Failed handling attempts (each retry counts)."),
                deadLettered: metrics.makeCounter(
                    name: "emporium_bus_dead_lettered_total",
                    labels: labels,
                    help: "Events a consumer group gave up on after its last retry."
                )
            )
        }
        self.countersByType = counters
        onlyCounters = counters.count == 1 ? counters.first?.value : nil
        handlerDuration = metrics.makeHistogram(
            name: "emporium_bus_handler_duration_seconds",
            labels: [("group", subscription.group)],
            buckets: [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            help: "Time spent in one handling attempt."
        )
    }

    private func counters(_ type: String) -> Counters? {
        onlyCounters ?? countersByType[type]
    }

    var memberCount: Int { members.withLock { $0.handlers.count } }
    var queued: Int { lanes.reduce(0) { $0 + $1.depth } }

    func addMember(token: SubscriptionToken, handler: Handler) {
        members.withLock { $0.handlers.append((token, handler)) }
    }

    func removeMember(token: SubscriptionToken) {
        members.withLock { $0.handlers.removeAll { $0.token == token } }
    }

    /// The lane an event belongs to: by subject, so one subject's events stay in order; round robin without one.
    func lane(for envelope: Envelope) -> Lane {
        guard lanes.count > 1 else { return lanes[0] }
        guard let subject = envelope.subject else {
            return lanes[unkeyed.wrappingAdd(1, ordering: .relaxed).oldValue % lanes.count]
        }
        // FNV-1a: stable across runs, unlike Hasher, so a subject's lane is predictable.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in subject.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return lanes[Int(hash % UInt64(lanes.count))]
    }

    func close() {
        for lane in lanes { lane.close() }
    }

    /// Delivers the lane's events one after another until the lane is closed and empty.
    func drain(_ lane: Lane) async {
        var batch: [Lane.Item] = []
        var generator = SystemRandomNumberGenerator()
        while await lane.take(into: &batch, limit: 64) {
            // Competing members take whole batches, as consumers with a prefetch do.
            guard let handler = await nextHandler() else { return }
            if case .batch(let batchHandler) = handler, await deliverBatch(batch, with: batchHandler) {
                batch.removeAll(keepingCapacity: true)
                continue
            }
            for item in batch {
                await deliver(item, firstTryWith: handler.single, using: &generator)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func nextHandler() async -> Handler? {
        while !Task.isCancelled {
            let handler = members.withLock { members -> Handler? in
                guard !members.handlers.isEmpty else { return nil }
                defer { members.next &+= 1 }
                return members.handlers[members.next % members.handlers.count].handler
            }
            if let handler { return handler }
            // A group whose members are all gone keeps its events until one comes back.
            try? await clock.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// One try of a whole batch; `true` when it was handled, `false` to fall back to single deliveries.
    private func deliverBatch(_ batch: [Lane.Item], with handler: BatchEventHandler) async -> Bool {
        let envelopes = batch.map(\.envelope)
        let started = ContinuousClock.now
        do {
            try await handle(envelopes[0], with: { _ in try await handler(envelopes) }, attempt: 1, batchSize: envelopes.count)
        } catch {
            handlerDuration.record(ContinuousClock.now - started)
            counters(envelopes[0].type)?.failed.increment()
            return false
        }
        handlerDuration.record(ContinuousClock.now - started)
        for item in batch {
            counters(item.envelope.type)?.delivered.increment()
            item.acknowledgement?.done()
        }
        return true
    }

    /// Runs the handler in the publisher's trace: as a consumer span when tracing, else with its context current
    /// so that log lines carry the trace id.
    /// A batch runs in the trace of its first event.
    private func handle(_ envelope: Envelope, with handler: EventHandler, attempt: Int, batchSize: Int = 1) async throws {
        let parent = envelope.traceParent.flatMap(TraceParent.init).map(TraceContext.init)
        if let tracer {
            try await tracer.withSpan(counters(envelope.type)?.spanName ?? envelope.type, kind: .consumer, parent: parent) { span in
                span.setAttribute(.string(name), forKey: "messaging.consumer.group")
                span.setAttribute(.string(envelope.id), forKey: "messaging.message.id")
                if batchSize > 1 { span.setAttribute(.int(Int64(batchSize)), forKey: "messaging.batch.message_count") }
                if attempt > 1 { span.setAttribute(.int(Int64(attempt)), forKey: "messaging.attempt") }
                try await handler(envelope)
            }
        } else if let parent {
            try await TraceContext.$current.withValue(parent) { try await handler(envelope) }
        } else {
            try await handler(envelope)
        }
    }

    /// The longest wait between two tries of an event whose handler's service said it is unavailable.
    static let unavailableBackoff = Duration.seconds(1)

    private func deliver(_ item: Lane.Item, firstTryWith first: @escaping EventHandler, using generator: inout SystemRandomNumberGenerator) async {
        var attempt = 0
        // Failures that count towards the dead letter. One that says the subscriber's service is unavailable (its disk
        // full: ``ServiceKit/Unavailability``) says nothing of the event, so it does not count: the event is tried
        // again, at most ``unavailableBackoff`` apart, until the service is back, rather than dead-lettered while an
        // operator makes room (or lost, when the dead letter cannot be written either).
        var counted = 0
        while true {
            attempt += 1
            // A retry may go to another member: the one that failed might be the problem.
            guard let handler = attempt == 1 ? first : await nextHandler()?.single else { return }
            let started = ContinuousClock.now
            do {
                try await handle(item.envelope, with: handler, attempt: attempt)
                handlerDuration.record(ContinuousClock.now - started)
                counters(item.envelope.type)?.delivered.increment()
                item.acknowledgement?.done()
                return
            } catch {
                handlerDuration.record(ContinuousClock.now - started)
                counters(item.envelope.type)?.failed.increment()
                // Shutting down: leave the event unacknowledged; a durable publisher sends it again later.
                if Task.isCancelled { return }
                let unavailable = error.serviceUnavailability != nil
                if !unavailable { counted += 1 }
                if counted >= retry.maxAttempts {
                    let letter = DeadLetter(
                        group: name,
                        envelope: item.envelope,
                        error: String(describing: error),
                        attempts: attempt,
                        failedAt: Date()
                    )
                    // Keep the event rather than lose it: if the store fails too, try it again after a pause.
                    while true {
                        do {
                            try await deadLetters.record(letter)
                            break
                        } catch {
                            do { try await clock.sleep(for: retry.maxBackoff) } catch { return }
                        }
                    }
                    counters(item.envelope.type)?.deadLettered.increment()
                    item.acknowledgement?.done()
                    return
                }
                let backoff = retry.backoff(afterAttempt: attempt, using: &generator)
                do {
                    try await clock.sleep(for: unavailable ? min(backoff, Self.unavailableBackoff) : backoff)
                } catch {
                    return
                }
            }
        }
    }
}
