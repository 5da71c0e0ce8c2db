/// Keeps one registered instance in rotation while it is well: every `interval` it runs the instance's health
/// check and reports a heartbeat, or marks the instance unhealthy while the check fails. When cancelled (the
/// service group stopping) it deregisters the instance, so callers stop choosing it before its module closes.
public struct InstanceHeartbeat: Service {
    /// `heartbeat.<instance id>`.
    public let name: String
    private let registry: ServiceRegistry
    private let instance: InstanceID
    private let interval: Duration
    private let clock: any ServiceClock
    private let check: @Sendable () async throws -> Void

    /// Creates the heartbeat of an instance already registered in `registry`.
    /// - Parameters:
    ///   - interval: Time between checks; keep it well under the registry's heartbeat timeout.
    ///   - check: Throws when the instance cannot serve (its database is unreadable, say).
    public init(
        instance: InstanceID,
        registry: ServiceRegistry,
        interval: Duration,
        clock: any ServiceClock = SystemClock(),
        check: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.name = "heartbeat.\(instance)"
        self.registry = registry
        self.instance = instance
        self.interval = interval
        self.clock = clock
        self.check = check
    }

    /// Checks and reports until cancelled, then deregisters the instance.
    public func run() async throws {
        defer { registry.deregister(instance) }
        while !Task.isCancelled {
            do {
                try await check()
                if registry.entry(instance)?.health == .unhealthy { registry.setHealth(.healthy, of: instance) }
                registry.heartbeat(instance)
            } catch is CancellationError {
                return
            } catch {
                registry.setHealth(.unhealthy, of: instance)
            }
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
