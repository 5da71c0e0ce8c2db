import ServiceKit
import Synchronization
import Telemetry

/// Which `/api/` requests the gateway takes on, and which it sheds (`503 overloaded`, `Retry-After: 1`) before any
/// work: at most ``limit`` in flight, and, with a queue target, none that waited too long in the server already.
///
/// The second rule is controlled delay (ServiceKit's `ControlledDelay`; CoDel, as Facebook's servers apply it to their
/// request queues), judged every ``interval``: while the server keeps up, every request goes on, but when most
/// requests of an interval (from ``minimumConnections`` connections at least) waited longer than the target, the
/// server is not catching up, and through the next interval a request that waited longer than the target is turned
/// away. The wait (`HTTPRequestContext.queueDelay`) is where an overloaded server's latency goes: on two cores the time
/// spent in a handler stays short while the requests queue before their handlers for tens of milliseconds, so a limit
/// on requests in flight alone keeps nothing quick. Shedding the ones that queued is what empties the queue, and only
/// when it stands: a burst shorter than an interval is absorbed.
final class Admission: Sendable {
    /// How many may be in flight at once.
    let limit: Int
    /// The wait a request may have had while the server is congested; `nil` sheds on the limit alone.
    let target: Duration?
    /// How long one judgement lasts: each interval's waits decide whether the next one sheds.
    static let interval = Duration.milliseconds(20)
    /// The fewest connections whose requests waited over the target in an interval that make a queue: a few
    /// clients' requests, one after another, waited for other work, which shedding them would not shorten.
    static let minimumConnections = 8

    private let inFlight = Atomic<Int>(0)
    private let delay: Mutex<ControlledDelay?>
    private let gauge: Gauge
    private let congestedGauge: Gauge
    /// How late the shared executor runs work, which the modules' and sagas' work waits in.
    private let lag: ExecutorLag?

    /// - Parameters:
    ///   - limit: Requests in flight at most.
    ///   - target: The wait at which a congested server sheds; `nil` for none.
    init(limit: Int, target: Duration?, metrics: MetricsRegistry) {
        self.limit = limit
        self.target = target
        delay = Mutex(target.map { ControlledDelay(target: $0, interval: Self.interval, minimumSources: Self.minimumConnections) })
        gauge = metrics.makeGauge(name: "emporium_http_requests_in_flight", help: "API requests in the gateway now; above the limit they are shed.")
        congestedGauge = metrics.makeGauge(
            name: "emporium_http_congested",
            help: "1 while most API requests of the last 20 ms waited longer than the queue target and those that do are shed, else 0."
        )
        lag = target.map { _ in ExecutorLag(metrics: metrics) }
    }

    deinit {
        lag?.stop()
    }

    /// Counts one more request in, or refuses it: when `limit` are in already, or when it waited `queueDelay` at its
    /// loop (and the shared executor is behind by its lag) and that is more than the server may let a request wait
    /// now.
    func enter(queueDelay: Duration, connection: UInt64) -> Bool {
        if target != nil {
            let waited = queueDelay + (lag?.current ?? .zero)
            let (admitted, congested) = delay.withLock { state in
                (state?.admits(waited, from: connection, at: .now) ?? true, state?.congested ?? false)
            }
            congestedGauge.set(to: congested ? 1 : 0)
            guard admitted else { return false }
        }
        let now = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        guard now <= limit else {
            inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            return false
        }
        gauge.set(to: Double(now))
        return true
    }

    /// Counts one admitted request out.
    func leave() {
        let now = inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
        gauge.set(to: Double(now))
    }
}

/// How late the shared (global) executor starts work that is ready: a task asks to wake every 10 ms and measures by
/// how much it woke late. Requests' handlers run on the HTTP loops, but the modules' actors, the sagas and the relays
/// run on this executor, and when it is behind, every step of a checkout waits that long again: a request that
/// waited little at its loop still meets a queue here, so admission counts both.
final class ExecutorLag: Sendable {
    private let lateNanoseconds = Atomic<Int64>(0)
    private let task = Mutex<Task<Void, Never>?>(nil)
    static let period = Duration.milliseconds(10)

    init(metrics: MetricsRegistry) {
        let gauge = metrics.makeGauge(name: "emporium_executor_lag_seconds", help: "How late the shared executor ran a task due to run now.")
        let sampler = Task.detached { [weak self] in
            while !Task.isCancelled {
                let due = ContinuousClock.now + Self.period
                try? await Task.sleep(until: due, tolerance: .zero)
                let late = max(ContinuousClock.now - due, .zero)
                guard let self else { return }
                self.lateNanoseconds.store(late.clampedNanoseconds, ordering: .relaxed)
                gauge.set(to: late / .seconds(1))
            }
        }
        task.withLock { $0 = sampler }
    }

    /// The lateness last measured.
    var current: Duration { .nanoseconds(lateNanoseconds.load(ordering: .relaxed)) }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
