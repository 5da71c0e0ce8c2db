public import ServiceKit
public import Telemetry

/// Publishes a module's outbox in commit order.
///
/// The relay reads a batch of unsent events, hands it to the bus with ``MessageBus/deliver(_:)`` (which returns
/// once every subscribed group has finished each event), and only then marks events sent: after every
/// `batchSize` delivered events, and whenever it catches up. After a crash it starts again from the first
/// unsent event, so an event may be delivered twice but never lost; subscribers' inboxes make the second
/// delivery harmless. It wakes as soon as a transaction with events commits, and also polls now and then so
/// events written by another process are not left behind.
///
/// Marking in groups rather than after every round keeps the relay's writes from competing with the module's
/// own: with a mark per round, a relay keeping up with one event per commit doubled the writes on the module's
/// database.
public final class OutboxRelay: Service {
    /// A test hook called with the events about to be marked sent, after they were delivered.
    public typealias BatchHook = @Sendable ([Envelope]) async throws -> Void

    /// The service's name in a ``ServiceKit/ServiceGroup``: `outbox-relay.<module>`.
    public let name: String
    private let outbox: Outbox
    private let bus: any MessageBus
    private let batchSize: Int
    private let pollInterval: Duration
    private let retainSent: Int
    private let clock: any Clock<Duration>
    private let beforeMarkingSent: BatchHook?
    private let backlog: Gauge
    private let relayed: Counter

    /// Creates a relay.
    /// - Parameters:
    ///   - batchSize: events read and delivered per round.
    ///   - pollInterval: the longest the relay sleeps without a wake-up.
    ///   - retainSent: how many sent events stay in the table for inspection before they are deleted.
    ///   - metrics: where the relay reports `emporium_outbox_backlog` and `emporium_outbox_relayed_total`.
    ///   - beforeMarkingSent: called between delivering events and marking them sent; crash tests stop here.
    public init(
        outbox: Outbox,
        bus: any MessageBus,
        batchSize: Int = 256,
        pollInterval: Duration = .seconds(1),
        retainSent: Int = 1000,
        metrics: MetricsRegistry = MetricsRegistry(),
        clock: any Clock<Duration> = ContinuousClock(),
        beforeMarkingSent: BatchHook? = nil
    ) {
        precondition(batchSize > 0, "a batch holds at least one event")
        self.name = "outbox-relay.\(outbox.name)"
        self.outbox = outbox
        self.bus = bus
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.retainSent = retainSent
        self.clock = clock
        self.beforeMarkingSent = beforeMarkingSent
        let labels = [("outbox", outbox.name)]
        backlog = metrics.makeGauge(name: "emporium_outbox_backlog", labels: labels, help: "Committed events not yet published.")
        relayed = metrics.makeCounter(name: "emporium_outbox_relayed_total", labels: labels, help: "Events published from the outbox.")
    }

    /// Relays until cancelled.
    /// - Throws: what the outbox's database or the bus throws (``MessagingError/busClosed`` when the bus shut down).
    public func run() async throws {
        var deliveredThrough: Int64 = 0
        var markedThrough: Int64 = 0
        var unmarked: [Envelope] = []
        func markDelivered() async throws {
            guard deliveredThrough > markedThrough else { return }
            try await beforeMarkingSent?(unmarked)
            try await outbox.markSent(through: deliveredThrough, retain: retainSent)
            relayed.increment(by: unmarked.count)
            unmarked.removeAll(keepingCapacity: true)
            markedThrough = deliveredThrough
        }
        while !Task.isCancelled {
            let batch = try await outbox.unsent(after: deliveredThrough, limit: batchSize)
            guard let last = batch.last else {
                try await markDelivered()
                backlog.set(to: 0)
                await outbox.signal.wait(timeout: pollInterval, clock: clock)
                continue
            }
            if batch.count == batchSize {
                backlog.set(to: Double(try await outbox.backlog()))
            } else {
                backlog.set(to: Double(batch.count))
            }
            let envelopes = batch.map(\.envelope)
            do {
                try await bus.deliver(envelopes)
            } catch is CancellationError {
                break
            }
            deliveredThrough = last.sequence
            unmarked.append(contentsOf: envelopes)
            if unmarked.count >= batchSize {
                try await markDelivered()
            }
        }
        // Stopping: what was delivered is marked, so a restart does not send it again.
        try? await markDelivered()
    }
}
