import Foundation
public import ServiceKit
import Synchronization
public import Telemetry

/// The message bus inside one process: bounded mailboxes, consumer groups, per-subject ordering, retries and
/// dead letters.
///
/// Its workers live in ``run()``, which the service group runs for the life of the process. Publishing waits
/// until `run()` has started, so every subscription made while wiring the modules sees every event. Cancelling
/// `run()` (or calling ``shutdown()``) stops intake, lets workers finish the events already queued, and returns.
public final class InProcessMessageBus: MessageBus, Service {
    private struct State {
        var groups: [String: ConsumerGroup] = [:]
        var groupsByType: [String: [ConsumerGroup]] = [:]
        var isRunning = false
        var isClosed = false
        var startWaiters: [CheckedContinuation<Void, Never>] = []
        var nextToken = 0
        var publishedCounters: [String: Counter] = [:]
    }

    private let state = Mutex(State())
    private let newLanes: AsyncStream<(ConsumerGroup, Lane)>
    private let newLanesContinuation: AsyncStream<(ConsumerGroup, Lane)>.Continuation
    private let clock: any Clock<Duration>
    private let metrics: MetricsRegistry
    private let tracer: Tracer?
    /// Dead letters of groups that bring no store of their own.
    public let defaultDeadLetters: InMemoryDeadLetterStore
    /// The service's name in a ``ServiceKit/ServiceGroup``.
    public let name = "message-bus"

    /// Creates a bus.
    /// - Parameters:
    ///   - metrics: where the bus counts published, delivered, failed and dead-lettered events per topic and
    ///     group, handler latency and mailbox depth (`emporium_bus_*`).
    ///   - tracer: when given, each handling is a consumer span, child of the publisher's span.
    ///   - clock: paces retry backoff; tests pass a clock they control.
    ///   - defaultDeadLetters: where groups without their own store put dead letters.
    public init(
        metrics: MetricsRegistry = MetricsRegistry(),
        tracer: Tracer? = nil,
        clock: any Clock<Duration> = ContinuousClock(),
        defaultDeadLetters: InMemoryDeadLetterStore = InMemoryDeadLetterStore()
    ) {
        self.metrics = metrics
        self.tracer = tracer
        self.clock = clock
        self.defaultDeadLetters = defaultDeadLetters
        (newLanes, newLanesContinuation) = AsyncStream.makeStream(of: (ConsumerGroup, Lane).self)
    }

    // MARK: - Subscribing

    @discardableResult
    public func subscribe(_ subscription: Subscription, handler: @escaping EventHandler) -> SubscriptionToken {
        join(subscription, .single(handler))
    }

    @discardableResult
    public func subscribeInBatches(_ subscription: Subscription, handler: @escaping BatchEventHandler) -> SubscriptionToken {
        join(subscription, .batch(handler))
    }

    private func join(_ subscription: Subscription, _ handler: ConsumerGroup.Handler) -> SubscriptionToken {
        let (token, created) = state.withLock { state -> (SubscriptionToken, ConsumerGroup?) in
            state.nextToken += 1
            let token = SubscriptionToken(group: subscription.group, id: state.nextToken)
            if let group = state.groups[subscription.group] {
                precondition(
                    group.eventTypes == subscription.eventTypes,
                    "every member of group \(group.name) takes \(group.eventTypes), not \(subscription.eventTypes)"
                )
                group.addMember(token: token, handler: handler)
                return (token, nil)
            }
            let group = ConsumerGroup(
                subscription: subscription,
                deadLetters: subscription.deadLetters ?? defaultDeadLetters,
                clock: clock,
                metrics: metrics,
                tracer: tracer
            )
            group.addMember(token: token, handler: handler)
            state.groups[subscription.group] = group
            for type in subscription.eventTypes { state.groupsByType[type, default: []].append(group) }
            return (token, group)
        }
        if let created {
            for lane in created.lanes { newLanesContinuation.yield((created, lane)) }
        }
        return token
    }

    public func unsubscribe(_ token: SubscriptionToken) {
        let group = state.withLock { $0.groups[token.group] }
        group?.removeMember(token: token)
    }

    public var consumerGroups: [ConsumerGroupDescription] {
        state.withLock { state in
            state.groups.values.map { ConsumerGroupDescription(name: $0.name, eventTypes: $0.eventTypes) }.sorted { $0.name < $1.name }
        }
    }

    /// Publishers waiting for ``run()`` to start, for tests that must know one is parked.
    package var publishersWaitingForStart: Int { state.withLock { $0.startWaiters.count } }

    /// The consumer groups, their event types, member counts and queued events, for operators.
    public var bindings: [Binding] {
        state.withLock { state in
            state.groups.values.sorted { $0.name < $1.name }.map {
                Binding(group: $0.name, eventTypes: $0.eventTypes, members: $0.memberCount, lanes: $0.lanes.count, queued: $0.queued)
            }
        }
    }

    /// One consumer group as the bus holds it.
    public struct Binding: Sendable, Hashable {
        /// The consumer group.
        public let group: String
        /// The event types it takes.
        public let eventTypes: [String]
        /// How many subscribers share the group's events.
        public let members: Int
        /// How many events the group handles at once.
        public let lanes: Int
        /// Events waiting in the group's mailboxes.
        public let queued: Int

        /// Creates a binding description.
        public init(group: String, eventTypes: [String], members: Int, lanes: Int, queued: Int) {
            self.group = group
            self.eventTypes = eventTypes
            self.members = members
            self.lanes = lanes
            self.queued = queued
        }
    }

    // MARK: - Publishing

    public func publish(_ envelope: Envelope) async throws {
        // The hot path: one lock to find the groups, no allocation, no acknowledgement.
        enum Lookup {
            case groups([ConsumerGroup])
            case notRunning
            case closed
        }
        let lookup = state.withLock { state -> Lookup in
            if state.isClosed { return .closed }
            guard state.isRunning else { return .notRunning }
            publishedCounter(for: envelope.type, in: &state).increment()
            return .groups(state.groupsByType[envelope.type] ?? [])
        }
        switch lookup {
        case .groups(let groups):
            for group in groups {
                try await group.lane(for: envelope).put(Lane.Item(envelope: envelope, acknowledgement: nil))
            }
        case .closed:
            throw MessagingError.busClosed
        case .notRunning:
            try await enqueue([envelope], onlyGroup: nil, acknowledge: false)
        }
    }

    public func deliver(_ envelopes: [Envelope]) async throws {
        try await enqueue(envelopes, onlyGroup: nil, acknowledge: true)
    }

    public func deliver(_ envelopes: [Envelope], toGroup group: String) async throws {
        try await enqueue(envelopes, onlyGroup: group, acknowledge: true)
    }

    private func enqueue(_ envelopes: [Envelope], onlyGroup: String?, acknowledge: Bool) async throws {
        try await waitUntilRunning()
        var targets: [(Envelope, ConsumerGroup)] = []
        state.withLock { state in
            for envelope in envelopes {
                if onlyGroup == nil {
                    publishedCounter(for: envelope.type, in: &state).increment()
                }
                for group in state.groupsByType[envelope.type] ?? [] where onlyGroup == nil || group.name == onlyGroup {
                    targets.append((envelope, group))
                }
            }
        }
        let acknowledgement = acknowledge && !targets.isEmpty ? Acknowledgement(expecting: targets.count) : nil
        for (envelope, group) in targets {
            try await group.lane(for: envelope).put(Lane.Item(envelope: envelope, acknowledgement: acknowledgement))
        }
        guard let acknowledgement else { return }
        await withTaskCancellationHandler {
            await acknowledgement.wait()
        } onCancel: {
            acknowledgement.cancel()
        }
        try Task.checkCancellation()
    }

    private func publishedCounter(for topic: String, in state: inout State) -> Counter {
        if let counter = state.publishedCounters[topic] { return counter }
        let counter = metrics.makeCounter(
            name: "emporium_bus_published_total",
            labels: [("topic", topic)],
            help: "Events published on the bus."
        )
        state.publishedCounters[topic] = counter
        return counter
    }

    private func waitUntilRunning() async throws {
        enum Status {
            case running
            case closed
            case waiting
        }
        let status = state.withLock { state -> Status in
            state.isClosed ? .closed : state.isRunning ? .running : .waiting
        }
        switch status {
        case .running: return
        case .closed: throw MessagingError.busClosed
        case .waiting:
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isRunning || state.isClosed { return true }
                    state.startWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            if state.withLock({ $0.isClosed }) { throw MessagingError.busClosed }
        }
    }

    // MARK: - Running

    /// Runs the delivery workers until cancelled or shut down, then drains what is queued and returns.
    public func run() async throws {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isRunning = true
            defer { state.startWaiters.removeAll() }
            return state.startWaiters
        }
        for waiter in waiters { waiter.resume() }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { workers in
                for await (group, lane) in newLanes {
                    workers.addTask { await group.drain(lane) }
                }
            }
        } onCancel: {
            shutdown()
        }
    }

    /// Stops accepting events; workers finish what is queued. Publishing afterwards throws ``MessagingError/busClosed``.
    public func shutdown() {
        let (groups, waiters) = state.withLock { state -> ([ConsumerGroup], [CheckedContinuation<Void, Never>]) in
            state.isClosed = true
            defer { state.startWaiters.removeAll() }
            return (Array(state.groups.values), state.startWaiters)
        }
        for waiter in waiters { waiter.resume() }
        for group in groups { group.close() }
        newLanesContinuation.finish()
    }
}
