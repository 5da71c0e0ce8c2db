import Synchronization

/// The services and instances running, their health and heartbeats: discovery for the call pipeline and the
/// operations dashboard.
///
/// Only instances that are ``Health/healthy`` and whose last heartbeat is recent enough are discovered. Health
/// and heartbeats change through ``setHealth(_:of:)`` and ``heartbeat(_:)``. An instance whose heartbeat is
/// older than `heartbeatTimeout` leaves the rotation on the next ``expireStaleInstances()``, which ``run()``
/// does every `heartbeatTimeout / 4`. Every change is announced to ``changes()`` streams.
public final class ServiceRegistry: Service {
    /// An instance's health as reported by itself or decided by the registry.
    public enum Health: String, Sendable, Hashable, Codable {
        /// Registered, not yet ready for calls.
        case starting
        /// Taking calls.
        case healthy
        /// Not taking calls: it said so, or it was marked down.
        case unhealthy
        /// Its heartbeat stopped.
        case expired
    }

    /// A change in the registry.
    public enum Change: Sendable, Hashable {
        /// An instance joined.
        case registered(service: String, instance: InstanceID)
        /// An instance left.
        case deregistered(service: String, instance: InstanceID)
        /// An instance's health changed.
        case healthChanged(service: String, instance: InstanceID, health: Health)
    }

    /// What the registry knows of one instance.
    public struct Entry: Sendable {
        /// The instance.
        public let instance: ServiceInstance
        /// Its health.
        public internal(set) var health: Health
        /// When it last reported.
        public internal(set) var lastHeartbeat: ServiceInstant
        /// When it registered.
        public let registeredAt: ServiceInstant
    }

    private struct State {
        var entries: [InstanceID: Entry] = [:]
        /// Per service, the instances to discover, kept up to date on every change.
        var discoverable: [String: Discovery] = [:]
        var watchers: [Int: AsyncStream<Change>.Continuation] = [:]
        var nextWatcher = 0
    }

    /// The service's name in a ``ServiceGroup``.
    public let name = "registry"
    /// How old a heartbeat may be before the instance leaves the rotation.
    public let heartbeatTimeout: Duration
    private let clock: any ServiceClock
    private let state = Mutex(State())

    /// Creates a registry.
    public init(heartbeatTimeout: Duration = .seconds(10), clock: any ServiceClock = SystemClock()) {
        self.heartbeatTimeout = heartbeatTimeout
        self.clock = clock
    }

    // MARK: - Membership

    /// Adds an instance (replacing one with the same id).
    public func register(_ instance: ServiceInstance, health: Health = .healthy) {
        let now = clock.now
        update { state in
            state.entries[instance.id] = Entry(instance: instance, health: health, lastHeartbeat: now, registeredAt: now)
            return [.registered(service: instance.service, instance: instance.id)]
        }
    }

    /// Removes an instance.
    public func deregister(_ id: InstanceID) {
        update { state in
            guard let entry = state.entries.removeValue(forKey: id) else { return [] }
            return [.deregistered(service: entry.instance.service, instance: id)]
        }
    }

    /// Records that an instance is alive; an expired instance that reports again becomes healthy.
    public func heartbeat(_ id: InstanceID) {
        let now = clock.now
        update { state in
            guard var entry = state.entries[id] else { return [] }
            entry.lastHeartbeat = now
            var changes: [Change] = []
            if entry.health == .expired {
                entry.health = .healthy
                changes.append(.healthChanged(service: entry.instance.service, instance: id, health: .healthy))
            }
            state.entries[id] = entry
            return changes
        }
    }

    /// Sets an instance's health (for example `.unhealthy` when an operator marks it down).
    public func setHealth(_ health: Health, of id: InstanceID) {
        update { state in
            guard var entry = state.entries[id], entry.health != health else { return [] }
            entry.health = health
            state.entries[id] = entry
            return [.healthChanged(service: entry.instance.service, instance: id, health: health)]
        }
    }

    /// Marks instances whose heartbeat is older than the timeout as expired.
    public func expireStaleInstances() {
        let now = clock.now
        update { state in
            var changes: [Change] = []
            for (id, entry) in state.entries where entry.health == .healthy && now - entry.lastHeartbeat > heartbeatTimeout {
                state.entries[id]?.health = .expired
                changes.append(.healthChanged(service: entry.instance.service, instance: id, health: .expired))
            }
            return changes
        }
    }

    // MARK: - Discovery

    /// The instances of `service` that take calls: healthy, with a recent heartbeat. Cheap: no allocation.
    public func discover(_ service: String) -> [ServiceInstance] {
        state.withLock { $0.discoverable[service]?.instances ?? [] }
    }

    /// What ``discover(_:)`` returns, with the instances' ids alongside for the load balancer: both computed
    /// when the registry changes, not per call.
    func discovery(_ service: String) -> Discovery? {
        state.withLock { $0.discoverable[service] }
    }

    /// Every instance with its health, grouped by service, sorted: for operators.
    public var entries: [Entry] {
        state.withLock { state in
            state.entries.values.sorted { ($0.instance.service, $0.instance.id) < ($1.instance.service, $1.instance.id) }
        }
    }

    /// One instance's entry.
    public func entry(_ id: InstanceID) -> Entry? {
        state.withLock { $0.entries[id] }
    }

    /// A stream of every later change, until the task iterating it is cancelled.
    public func changes() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .bufferingNewest(1024))
        let id = state.withLock { state -> Int in
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Expires stale instances every quarter of the heartbeat timeout until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            try await clock.sleep(for: heartbeatTimeout / 4)
            expireStaleInstances()
        }
    }

    // MARK: - Internals

    private func update(_ body: (inout State) -> [Change]) {
        let (changes, watchers) = state.withLock { state -> ([Change], [AsyncStream<Change>.Continuation]) in
            let changes = body(&state)
            guard !changes.isEmpty else { return ([], []) }
            var discoverable: [String: Discovery] = [:]
            for entry in state.entries.values.sorted(by: { $0.instance.id < $1.instance.id }) where entry.health == .healthy {
                discoverable[entry.instance.service, default: Discovery()].append(entry.instance)
            }
            state.discoverable = discoverable
            return (changes, Array(state.watchers.values))
        }
        for change in changes {
            for watcher in watchers { watcher.yield(change) }
        }
    }
}

/// The discoverable instances of one service, sorted by id, and their ids in the same order.
struct Discovery: Sendable {
    private(set) var instances: [ServiceInstance] = []
    private(set) var ids: [InstanceID] = []

    mutating func append(_ instance: ServiceInstance) {
        instances.append(instance)
        ids.append(instance.id)
    }

    /// The instance with `id`.
    func instance(_ id: InstanceID) -> ServiceInstance? {
        ids.firstIndex(of: id).map { instances[$0] }
    }
}
