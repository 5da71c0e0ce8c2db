import Synchronization
public import Telemetry

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs services together and stops them in reverse start order.
///
/// Each service starts in its own child task, in the order given. A graceful stop begins when a watched signal
/// arrives (SIGTERM and SIGINT by default), when ``triggerGracefulShutdown()`` is called, or when any service
/// returns or throws. It cancels the services one at a time from the last to the first, waiting up to
/// `gracePeriod` for each, so the HTTP server stops before the modules it calls and the bus stops after the
/// relays that publish on it. A service still running when its grace period ends is left cancelled and the
/// group moves on.
///
/// Cancelling the task that runs the group is not graceful: cancellation reaches every service at once, as in
/// swift-service-lifecycle.
public final class ServiceGroup: Sendable {
    /// Why the group stopped.
    public enum StopReason: Sendable, Equatable {
        /// The group's task was cancelled.
        case cancelled
        /// ``ServiceGroup/triggerGracefulShutdown()`` was called.
        case requested
        /// A signal arrived (its number).
        case signal(Int32)
        /// A service returned on its own.
        case serviceReturned(String)
        /// A service threw; the text is the error.
        case serviceFailed(String, String)
    }

    private let services: [any Service]
    private let signals: [Int32]
    private let gracePeriod: Duration
    private let logger: Logger?
    private let stop = StopSignal()

    /// Creates a group.
    /// - Parameters:
    ///   - services: started in this order, stopped in reverse.
    ///   - signals: signals that stop the group gracefully; `nil` means SIGTERM and SIGINT, `[]` none (tests).
    ///   - gracePeriod: how long each service gets to finish once cancelled.
    public init(services: [any Service], signals: [Int32]? = nil, gracePeriod: Duration = .seconds(10), logger: Logger? = nil) {
        self.services = services
        self.signals = signals ?? [SIGTERM, SIGINT]
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// Starts a graceful stop, as a signal would.
    public func triggerGracefulShutdown() {
        stop.fire(.requested)
    }

    /// Runs every service until the group stops, then stops them in reverse order.
    /// - Returns: why the group stopped.
    /// - Throws: the first error a service threw (after all services were stopped).
    @discardableResult
    public func run() async throws -> StopReason {
        let stop = stop
        let watcher = signals.isEmpty ? nil : SignalWatcher(signals: signals) { stop.fire(.signal($0)) }
        defer { watcher?.stop() }
        let lifetimes = services.map { _ in Lifetime() }
        let failure = FirstError()
        let reason = await withTaskGroup(of: Void.self) { group -> StopReason in
            for (service, lifetime) in zip(services, lifetimes) {
                logger?.info("starting \(service.name)")
                let started = StopSignal()
                group.addTask {
                    started.fire(.requested)
                    do {
                        try await lifetime.run(service)
                        if !lifetime.wasStopped { stop.fire(.serviceReturned(service.name)) }
                    } catch {
                        // Cancellation asked for (by a stop, or by cancelling the group) is a normal end.
                        let asked = lifetime.wasStopped || Task.isCancelled
                        if !asked || !(error is CancellationError) {
                            failure.record(error)
                            stop.fire(.serviceFailed(service.name, String(describing: error)))
                        }
                    }
                    lifetime.markFinished()
                }
                // Services enter run() in the order given.
                _ = await started.wait()
            }
            let reason = await withTaskCancellationHandler {
                await stop.wait()
            } onCancel: {
                stop.fire(.cancelled)
            }
            logger?.notice("stopping services", metadata: ["reason": "\(reason)"])
            for (service, lifetime) in zip(services, lifetimes).reversed() {
                lifetime.stop()
                if await lifetime.waitUntilFinished(within: gracePeriod) {
                    logger?.info("stopped \(service.name)")
                } else {
                    logger?.warning("\(service.name) did not stop within \(gracePeriod); moving on")
                }
            }
            group.cancelAll()
            return reason
        }
        if let error = failure.error { throw error }
        return reason
    }
}

/// The first error recorded.
private final class FirstError: Sendable {
    private let first = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        first.withLock { $0 = $0 ?? error }
    }

    var error: (any Error)? { first.withLock { $0 } }
}

/// Fires once; later fires are ignored. Waiters resume with the first reason.
private final class StopSignal: Sendable {
    private struct State {
        var reason: ServiceGroup.StopReason?
        var waiters: [CheckedContinuation<ServiceGroup.StopReason, Never>] = []
    }

    private let state = Mutex(State())

    func fire(_ reason: ServiceGroup.StopReason) {
        let waiters = state.withLock { state -> [CheckedContinuation<ServiceGroup.StopReason, Never>] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    func wait() async -> ServiceGroup.StopReason {
        await withCheckedContinuation { continuation in
            let reason = state.withLock { state -> ServiceGroup.StopReason? in
                if let reason = state.reason { return reason }
                state.waiters.append(continuation)
                return nil
            }
            if let reason { continuation.resume(returning: reason) }
        }
    }
}

/// One service's run, which can be cancelled on its own and waited for with a deadline.
private final class Lifetime: Sendable {
    private let stopped = StopSignal()
    private let finished = StopSignal()
    private let stopRequested = Atomic<Bool>(false)

    var wasStopped: Bool { stopRequested.load(ordering: .acquiring) }

    /// Runs the service in a child task that is cancelled when ``stop()`` is called.
    func run(_ service: any Service) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            group.addTask {
                // Cancelled when the service ended first: firing then only releases this waiter.
                _ = await withTaskCancellationHandler {
                    await self.stopped.wait()
                } onCancel: {
                    self.stopped.fire(.cancelled)
                }
                throw CancellationError()
            }
            defer { group.cancelAll() }
            // The first child to finish decides: the service ended, or the stop request came.
            try await group.next()
        }
    }

    func stop() {
        stopRequested.store(true, ordering: .releasing)
        stopped.fire(.cancelled)
    }

    func markFinished() {
        finished.fire(.cancelled)
    }

    /// `true` when the run finished within `timeout`.
    func waitUntilFinished(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await self.finished.wait()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            if !first { self.finished.fire(.cancelled) }
            return first
        }
    }
}
