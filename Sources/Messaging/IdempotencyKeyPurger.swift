public import ServiceKit

/// Deletes a module's expired idempotency keys now and then: a background service beside its outbox relay.
///
/// Expired keys are already treated as new when they are used again; the purge only keeps the table from
/// growing. It purges when it starts and then every ``interval``.
public struct IdempotencyKeyPurger: Service {
    /// `idempotency-purger.<module>`.
    public let name: String
    /// Time between purges.
    public let interval: Duration
    private let keys: IdempotencyKeys
    private let clock: any Clock<Duration>

    /// Creates a purger.
    /// - Parameters:
    ///   - keys: The module's store.
    ///   - module: The module's name, for the service's name.
    ///   - interval: Time between purges; an hour by default, a small fraction of the 24 hours keys are kept.
    ///   - clock: What the purger sleeps on.
    public init(keys: IdempotencyKeys, module: String, interval: Duration = .seconds(3600), clock: any Clock<Duration> = ContinuousClock()) {
        self.name = "idempotency-purger.\(module)"
        self.keys = keys
        self.interval = interval
        self.clock = clock
    }

    /// Purges until the task is cancelled. A purge that fails (the database busy, say) is tried again at the next
    /// interval rather than stopping the service.
    public func run() async throws {
        while !Task.isCancelled {
            _ = try? await keys.purgeExpired()
            try await clock.sleep(for: interval)
        }
        throw CancellationError()
    }
}
