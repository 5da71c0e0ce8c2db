import Synchronization

/// Takes failing instances of one service out of the rotation, as Envoy's, Linkerd's and Finagle's outlier
/// detection does: an instance whose calls fail while its siblings' succeed is *ejected* for a while, then comes back
/// on probation.
///
/// - An instance is ejected after ``Configuration/consecutiveFailures`` failed calls in a row, or when at least
///   half of its last ``Configuration/window`` calls failed and its failure rate is at least
///   ``Configuration/siblingMargin`` above the mean of its siblings' (so a service failing as a whole, which its
///   circuit breaker handles, ejects nobody by rate).
/// - An ejection lasts ``Configuration/baseEjection`` times the number of times the instance was ejected, up to
///   ``Configuration/maxEjection``; the count starts again once the instance has gone a whole `maxEjection` without
///   being ejected.
/// - Back in the rotation, the instance is on probation: its next call decides, a failure ejects it again at once,
///   a success clears the probation.
/// - Never more than ``Configuration/maxEjectedShare`` of the instances are ejected at once, and never the last
///   one: with every instance failing, the calls keep going to some and the service's breaker decides.
///
/// Declared failures are answers and count as successes; a caller records only what says something about the
/// instance's health (see ``ServiceClient``).
public final class OutlierDetector: Sendable {
    /// When an instance is ejected and for how long.
    public struct Configuration: Sendable, Hashable {
        /// Failed calls in a row that eject an instance.
        public var consecutiveFailures: Int
        /// How many of an instance's latest calls its failure rate is taken over (at most 64).
        public var window: Int
        /// How far above its siblings' mean failure rate (a share, 0–1) an instance's must be to eject it by rate.
        public var siblingMargin: Double
        /// The first ejection's length; each further one is this much longer.
        public var baseEjection: Duration
        /// The longest ejection.
        public var maxEjection: Duration
        /// The largest share of the instances that may be ejected at once; one instance always stays. 0 turns
        /// ejection off.
        public var maxEjectedShare: Double

        /// Creates a configuration.
        public init(
            consecutiveFailures: Int = 5,
            window: Int = 20,
            siblingMargin: Double = 0.3,
            baseEjection: Duration = .seconds(10),
            maxEjection: Duration = .seconds(300),
            maxEjectedShare: Double = 2.0 / 3.0
        ) {
            precondition(consecutiveFailures >= 1, "consecutiveFailures must be at least 1")
            precondition((2...64).contains(window), "window must be from 2 to 64 calls")
            precondition((0...1).contains(siblingMargin), "siblingMargin is a share from 0 to 1")
            precondition(baseEjection > .zero && maxEjection >= baseEjection, "ejections need a positive base no longer than their maximum")
            precondition((0...1).contains(maxEjectedShare), "maxEjectedShare is a share from 0 to 1")
            self.consecutiveFailures = consecutiveFailures
            self.window = window
            self.siblingMargin = siblingMargin
            self.baseEjection = baseEjection
            self.maxEjection = maxEjection
            self.maxEjectedShare = maxEjectedShare
        }
    }

    /// An instance leaving or rejoining the rotation, for metrics and logs.
    public enum Event: Sendable, Hashable {
        /// Ejected until `until`, for the `count`th time in a row; `reason` is a phrase such as `5 failures in a row`.
        case ejected(InstanceID, until: ServiceInstant, count: Int, reason: String)
        /// Back in the rotation, on probation.
        case returned(InstanceID)
    }

    /// One instance's ejection, for operators.
    public struct Ejection: Sendable, Hashable {
        /// Until when it is out of the rotation.
        public var until: ServiceInstant
        /// How many times it was ejected without a quiet `maxEjection` in between.
        public var count: Int
    }

    private struct Record {
        var consecutive = 0
        /// The latest calls, newest in bit 0: 1 for a failure.
        var recent: UInt64 = 0
        var calls = 0
        var ejectedUntil: ServiceInstant?
        var lastEjected: ServiceInstant?
        var ejections = 0
        var onProbation = false

        var failures: Int { recent.nonzeroBitCount }

        mutating func push(failed: Bool, window: Int) {
            let mask: UInt64 = window == 64 ? .max : (1 << UInt64(window)) - 1
            recent = ((recent << 1) | (failed ? 1 : 0)) & mask
            calls = min(calls + 1, window)
        }

        func rate() -> Double { calls == 0 ? 0 : Double(failures) / Double(calls) }
    }

    private struct State {
        var records: [InstanceID: Record] = [:]
        var ejected = 0
    }

    /// The service, for events.
    public let service: String
    private let configuration: Configuration
    private let state = Mutex(State())
    /// Whether any instance is ejected: the per-call check when none is.
    private let anyEjected = Atomic<Bool>(false)
    private let onEvent: @Sendable (Event) -> Void

    /// Creates a detector for one service.
    /// - Parameter onEvent: Told of every ejection and return (after the detector's lock is released).
    public init(service: String, configuration: Configuration = Configuration(), onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.service = service
        self.configuration = configuration
        self.onEvent = onEvent
    }

    /// The instances of `discovered` in the rotation at `now`: those not ejected. Cheap when none is.
    public func admitted(_ discovered: [InstanceID], now: ServiceInstant) -> [InstanceID] {
        guard anyEjected.load(ordering: .acquiring) else { return discovered }
        var events: [Event] = []
        let admitted = state.withLock { state -> [InstanceID] in
            var admitted: [InstanceID] = []
            admitted.reserveCapacity(discovered.count)
            for id in discovered {
                if let until = state.records[id]?.ejectedUntil {
                    guard now >= until else { continue }
                    state.records[id]?.ejectedUntil = nil
                    state.records[id]?.onProbation = true
                    state.ejected -= 1
                    events.append(.returned(id))
                }
                admitted.append(id)
            }
            anyEjected.store(state.ejected > 0, ordering: .releasing)
            return admitted
        }
        for event in events { onEvent(event) }
        return admitted
    }

    /// Records a call's effect on `instance`'s health; may eject it.
    /// - Parameters:
    ///   - failed: Whether the call failed in a way that says the instance is unwell.
    ///   - siblings: Every discovered instance of the service, `instance` included: the denominator of the cap and
    ///     the rates compared.
    public func record(_ instance: InstanceID, failed: Bool, among siblings: [InstanceID], now: ServiceInstant) {
        let configuration = configuration
        let event = state.withLock { state -> Event? in
            var record = state.records[instance] ?? Record()
            defer { state.records[instance] = record }
            guard record.ejectedUntil == nil else { return nil }
            record.push(failed: failed, window: configuration.window)
            guard failed else {
                record.consecutive = 0
                record.onProbation = false
                return nil
            }
            record.consecutive += 1
            let reason: String
            if record.onProbation {
                reason = "a failure on probation"
            } else if record.consecutive >= configuration.consecutiveFailures {
                reason = "\(record.consecutive) failures in a row"
            } else if record.calls >= configuration.window / 2, record.rate() >= 0.5,
                record.rate() >= Self.meanRate(of: siblings, besides: instance, in: state.records) + configuration.siblingMargin
            {
                reason = "\(record.failures) of its last \(record.calls) calls failed"
            } else {
                return nil
            }
            let cap = min(siblings.count - 1, Int((Double(siblings.count) * configuration.maxEjectedShare + 1e-9).rounded(.down)))
            guard state.ejected < cap else { return nil }
            if let last = record.lastEjected, now - last > configuration.maxEjection { record.ejections = 0 }
            record.ejections += 1
            let length = min(configuration.baseEjection * record.ejections, configuration.maxEjection)
            let until = now.advanced(by: length)
            record.ejectedUntil = until
            record.lastEjected = now
            record.consecutive = 0
            record.recent = 0
            record.calls = 0
            state.ejected += 1
            anyEjected.store(true, ordering: .releasing)
            return .ejected(instance, until: until, count: record.ejections, reason: reason)
        }
        if let event { onEvent(event) }
    }

    /// The instances ejected now, for operators.
    public var ejections: [InstanceID: Ejection] {
        state.withLock { state in
            var ejections: [InstanceID: Ejection] = [:]
            for (id, record) in state.records {
                if let until = record.ejectedUntil { ejections[id] = Ejection(until: until, count: record.ejections) }
            }
            return ejections
        }
    }

    private static func meanRate(of siblings: [InstanceID], besides instance: InstanceID, in records: [InstanceID: Record]) -> Double {
        var total = 0.0
        var counted = 0
        for id in siblings where id != instance {
            guard let record = records[id], record.ejectedUntil == nil, record.calls > 0 else { continue }
            total += record.rate()
            counted += 1
        }
        return counted == 0 ? 0 : total / Double(counted)
    }
}
