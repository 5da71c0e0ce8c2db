public import Telemetry

/// Publishes a module's outbox in commit order.
///
/// The relay reads a batch of unsent events, hands it to the bus with ``MessageBus/deliver(_:)`` (which returns
/// once every subscribed group has finished each event), and only then marks the batch sent. After a crash it
/// starts again from the first unsent event, so an event may be delivered twice but never lost; subscribers'
/// inboxes make the second delivery harmless. It wakes as soon as a transaction with events commits, and also
/// polls now and then so events written by another process are not left behind.
public final class OutboxRelay: Sendable {
    /// A test hook called after a batch was delivered and before it is marked sent.
    public typealias BatchHook = @Sendable ([Envelope]) async throws -> Void

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
    ///   - beforeMarkingSent: called between delivering a batch and marking it sent; crash tests stop here.
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
        while !Task.isCancelled {
            let batch = try await outbox.unsent(limit: batchSize)
            guard let last = batch.last else {
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
                return
            }
            try await beforeMarkingSent?(envelopes)
            try await outbox.markSent(through: last.sequence, retain: retainSent)
            relayed.increment(by: batch.count)
        }
    }
}
