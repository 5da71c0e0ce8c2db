public import ServiceKit
import Synchronization
public import Telemetry

/// Publishes a module's outbox to every consumer group that takes its events, each group on its own cursor.
///
/// For each group the relay reads the next events of the group's types after the group's cursor, hands them
/// to that group alone with ``MessageBus/deliver(_:toGroup:)`` (which returns once the group has handled or
/// dead-lettered each), and only then moves the group's cursor (``Outbox/cursor(of:)``), saved in the
/// module's own database. A group that retries with backoff, or fails for minutes, holds back only itself.
/// After a crash each group starts again after its saved cursor, so an event may be delivered twice but is
/// never lost for any group; subscribers' inboxes make the second delivery harmless. A group the outbox has
/// never served starts at the oldest event still kept.
///
/// The relay wakes as soon as a transaction with events commits, and also polls now and then so events written
/// by another process are not left behind. Groups that subscribe while it runs are picked up at the next wake.
///
/// Cursors are saved after every `batchSize` delivered events and whenever a group catches up, rather than after
/// every round, so the relay's writes do not compete with the module's own: with a write per round, a relay
/// keeping up with one event per commit doubled the writes on the module's database.
public final class OutboxRelay: Service {
    /// A test hook called with a group and the events about to be recorded as handled by it, after they were
    /// delivered.
    public typealias BatchHook = @Sendable (_ group: String, _ envelopes: [Envelope]) async throws -> Void

    /// One consumer group's progress through the outbox.
    public struct GroupProgress: Sendable, Hashable {
        /// The group.
        public var group: String
        /// Every event up to this sequence number has been handled or dead-lettered by the group.
        public var handledThrough: Int64
        /// Events of the group's types after that: its backlog.
        public var pending: Int
        /// Events delivered to the group by this relay since it started.
        public var relayed: Int
    }

    private struct GroupState {
        var handledThrough: Int64
        var relayed = 0
    }

    /// The service's name in a ``ServiceKit/ServiceGroup``: `outbox-relay.<module>`.
    public let name: String
    /// The outbox relayed.
    public let outbox: Outbox
    private let bus: any MessageBus
    private let publishes: Set<String>?
    private let batchSize: Int
    private let pollInterval: Duration
    private let retain: Int
    private let clock: any Clock<Duration>
    private let beforeSavingCursor: BatchHook?
    private let metrics: MetricsRegistry
    private let groups = Mutex<[String: GroupState]>([:])

    /// Creates a relay.
    /// - Parameters:
    ///   - outbox: The module's outbox.
    ///   - bus: Where its events go.
    ///   - publishes: The event types the outbox holds, so that only groups taking one of them get a cursor;
    ///     `nil` serves every group on the bus.
    ///   - batchSize: Events read and delivered per round, and delivered between saved cursors.
    ///   - pollInterval: The longest the relay sleeps without a wake-up.
    ///   - retain: How many handled events stay in the table for inspection (and for a group that joins later)
    ///     before they are deleted.
    ///   - metrics: Where the relay reports `emporium_outbox_backlog` and `emporium_outbox_relayed_total` per
    ///     outbox and group.
    ///   - clock: Paces polling.
    ///   - beforeSavingCursor: Called between delivering events and saving the cursor; crash tests stop here.
    public init(
        outbox: Outbox,
        bus: any MessageBus,
        publishes: [String]? = nil,
        batchSize: Int = 256,
        pollInterval: Duration = .seconds(1),
        retain: Int = 1000,
        metrics: MetricsRegistry = MetricsRegistry(),
        clock: any Clock<Duration> = ContinuousClock(),
        beforeSavingCursor: BatchHook? = nil
    ) {
        precondition(batchSize > 0, "a batch holds at least one event")
        self.name = "outbox-relay.\(outbox.name)"
        self.outbox = outbox
        self.bus = bus
        self.publishes = publishes.map(Set.init)
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.retain = retain
        self.clock = clock
        self.beforeSavingCursor = beforeSavingCursor
        self.metrics = metrics
    }

    /// The groups this relay serves: those on the bus taking at least one type the outbox holds.
    private var servedGroups: [ConsumerGroupDescription] {
        bus.consumerGroups.compactMap { group in
            guard let publishes else { return group }
            let types = group.eventTypes.filter(publishes.contains)
            return types.isEmpty ? nil : ConsumerGroupDescription(name: group.name, eventTypes: types)
        }
    }

    /// Relays until cancelled.
    /// - Throws: what the outbox's database or the bus throws (``MessagingError/busClosed`` when the bus shut down).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            var started: Set<String> = []
            var prunedAt: Int64 = -1
            var nextPrune = ContinuousClock.now
            while !Task.isCancelled {
                let seen = outbox.signal.generation
                let served = servedGroups
                for group in served where !started.contains(group.name) {
                    started.insert(group.name)
                    let start = try await outbox.cursor(of: group.name) ?? 0
                    groups.withLock { $0[group.name] = GroupState(handledThrough: start) }
                    tasks.addTask { try await self.relay(to: group, from: start) }
                }
                // Forget what every group has handled, at most once a poll interval rather than on every commit;
                // with no group to serve, every event is handled by nobody and only the most recent are kept.
                let slowest =
                    served.isEmpty
                    ? try await outbox.head()
                    : groups.withLock { state in served.compactMap { state[$0.name]?.handledThrough }.min() } ?? 0
                if slowest > prunedAt, ContinuousClock.now >= nextPrune {
                    // The bound is what the groups have saved, which may lag what they have handled (a group that
                    // never succeeded has saved nothing): until it catches up, the next poll tries again.
                    do {
                        prunedAt = try await outbox.prune(handledBy: served.map(\.name), retain: retain)
                    } catch let error where error.serviceUnavailability != nil {
                        // The disk is full (or read-only): the events stay a while longer; the next poll tries again.
                        // Thrown, it would end the relay, and a service that ends stops the whole process.
                    }
                    nextPrune = ContinuousClock.now.advanced(by: pollInterval)
                }
                await outbox.signal.wait(after: seen, timeout: pollInterval, clock: clock)
            }
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }

    private func relay(to group: ConsumerGroupDescription, from start: Int64) async throws {
        let labels = [("outbox", outbox.name), ("group", group.name)]
        let backlog = metrics.makeGauge(name: "emporium_outbox_backlog", labels: labels, help: "Committed events a group has yet to handle.")
        let relayed = metrics.makeCounter(name: "emporium_outbox_relayed_total", labels: labels, help: "Events relayed from the outbox to a group.")
        var handled = start
        var saved = start
        var unsaved: [Envelope] = []
        func save() async throws {
            guard handled > saved else { return }
            try await beforeSavingCursor?(group.name, unsaved)
            do {
                try await outbox.saveCursor(of: group.name, at: handled)
            } catch let error where error.serviceUnavailability != nil {
                // The disk is full (or read-only): the events are handled, and only a crash before a later save
                // delivers them again, which the inboxes absorb. The next round tries again.
                return
            }
            unsaved.removeAll(keepingCapacity: true)
            saved = handled
        }
        while !Task.isCancelled {
            let seen = outbox.signal.generation
            let (batch, through) = try await outbox.events(after: handled, eventTypes: group.eventTypes, limit: batchSize)
            if !batch.isEmpty {
                backlog.set(
                    to: Double(batch.count == batchSize ? try await outbox.pending(after: handled, eventTypes: group.eventTypes) : batch.count)
                )
                let envelopes = batch.map(\.envelope)
                do {
                    try await bus.deliver(envelopes, toGroup: group.name)
                } catch is CancellationError {
                    break
                }
                relayed.increment(by: envelopes.count)
                unsaved.append(contentsOf: envelopes)
            }
            handled = through
            groups.withLock {
                $0[group.name]?.handledThrough = through
                $0[group.name]?.relayed += batch.count
            }
            if batch.count < batchSize {
                try await save()
                backlog.set(to: 0)
                await outbox.signal.wait(after: seen, timeout: pollInterval, clock: clock)
            } else if unsaved.count >= batchSize {
                try await save()
            }
        }
        // Stopping: what was handled is recorded, so a restart does not send it again.
        try? await save()
    }

    /// Where each group this relay serves stands, read now: its cursor and how many events it has yet to handle.
    /// - Throws: ``StorageError``.
    public func progress() async throws -> [GroupProgress] {
        var result: [GroupProgress] = []
        for group in servedGroups {
            let state = groups.withLock { $0[group.name] }
            let through: Int64
            if let state {
                through = state.handledThrough
            } else {
                through = try await outbox.cursor(of: group.name) ?? 0
            }
            let pending = try await outbox.pending(after: through, eventTypes: group.eventTypes)
            result.append(GroupProgress(group: group.name, handledThrough: through, pending: pending, relayed: state?.relayed ?? 0))
        }
        return result
    }
}
