import Synchronization
public import Telemetry

/// Makes calls to services: the one pipeline every call goes through, whatever the transport.
///
/// A call's attempt runs discovery (healthy instances from the ``ServiceRegistry``) → outlier ejection (instances
/// whose calls fail while their siblings' succeed are left out for a while, see ``OutlierDetector``) → load
/// balancing (round robin or power of two choices) → the service's circuit breaker → its bulkhead → the endpoint's
/// timeout → fault injection → the transport. Idempotent endpoints retry failed attempts with backoff and jitter,
/// within the service's retry budget; each retry starts again from discovery and goes to another instance than the
/// one that just failed, when there is one.
/// Each call is a client span (when a tracer is given) and is counted in `emporium_calls_total`,
/// `emporium_call_duration_seconds` and `emporium_call_retries_total`; breaker states are in
/// `emporium_circuit_breaker_state`, ejections in `emporium_instance_ejections_total` and
/// `emporium_instance_ejected` (and a log line each, when a logger is given).
///
/// Declared failures (the endpoint's ``ServiceFailure``) are answers, not faults: they count as healthy calls
/// for the breaker, are never retried, and reach the caller as the typed error.
public final class ServiceClient: Sendable {
    /// How the client balances and protects calls.
    public struct Configuration: Sendable {
        /// How an instance is chosen.
        public enum Balancing: String, Sendable, Hashable, Codable {
            /// Each instance in turn.
            case roundRobin = "round-robin"
            /// The less busy of two random instances.
            case powerOfTwoChoices = "p2c"
        }

        /// How an instance is chosen.
        public var balancing: Balancing
        /// Each service's circuit breaker.
        public var breaker: CircuitBreaker.Configuration
        /// Calls in flight per service before callers queue.
        public var maxConcurrentCalls: Int
        /// Callers that may queue per service before calls are rejected.
        public var maxQueuedCalls: Int
        /// Retries of idempotent calls.
        public var retry: RetryPolicy
        /// How many retries a service may receive relative to its calls.
        public var retryBudget: RetryBudget.Configuration
        /// When an instance of a service leaves the rotation.
        public var outliers: OutlierDetector.Configuration

        /// Creates a configuration with defaults that suit in-process calls.
        public init(
            balancing: Balancing = .powerOfTwoChoices,
            breaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
            maxConcurrentCalls: Int = 256,
            maxQueuedCalls: Int = 1024,
            retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(500)),
            retryBudget: RetryBudget.Configuration = RetryBudget.Configuration(),
            outliers: OutlierDetector.Configuration = OutlierDetector.Configuration()
        ) {
            self.balancing = balancing
            self.breaker = breaker
            self.maxConcurrentCalls = maxConcurrentCalls
            self.maxQueuedCalls = maxQueuedCalls
            self.retry = retry
            self.retryBudget = retryBudget
            self.outliers = outliers
        }
    }

    /// The registry the client discovers instances in.
    public let registry: ServiceRegistry
    /// The faults injected into this client's calls.
    public let faults: FaultInjector
    private let transport: any Transport
    private let configuration: Configuration
    private let clock: any ServiceClock
    private let metrics: MetricsRegistry
    private let tracer: Tracer?
    private let logger: Logger?
    private let deadlines: DeadlineTimer
    private let services = Mutex<[String: ServiceProtection]>([:])
    /// By endpoint name, what a call to it needs: looked up once per call.
    private let targets = Mutex<[String: CallTarget]>([:])

    /// Creates a client.
    public init(
        registry: ServiceRegistry,
        transport: any Transport,
        configuration: Configuration = Configuration(),
        faults: FaultInjector = FaultInjector(),
        metrics: MetricsRegistry = MetricsRegistry(),
        tracer: Tracer? = nil,
        logger: Logger? = nil,
        clock: any ServiceClock = SystemClock()
    ) {
        self.registry = registry
        self.transport = transport
        self.configuration = configuration
        self.faults = faults
        self.metrics = metrics
        self.tracer = tracer
        self.logger = logger
        self.clock = clock
        self.deadlines = DeadlineTimer(clock: clock)
    }

    // MARK: - Calling

    /// Calls `endpoint` on one of its service's healthy instances.
    /// - Throws: the endpoint's declared ``ServiceFailure``; ``ResilienceError`` (no healthy instance, circuit
    ///   open, bulkhead full, timeout, retries exhausted); ``RemoteCallError``; ``InjectedFault``; or
    ///   `CancellationError`.
    public func call<Request, Response>(_ endpoint: Endpoint<Request, Response>, _ request: Request) async throws -> Response {
        let target = target(of: endpoint)
        let started = ContinuousClock.now
        do {
            let response: Response
            if let tracer {
                response = try await tracer.withSpan("call \(endpoint.name)", kind: .client) { span in
                    span.setAttribute(.string(endpoint.name), forKey: "rpc.method")
                    return try await callWithRetries(endpoint, request, target)
                }
            } else {
                response = try await callWithRetries(endpoint, request, target)
            }
            target.measures.record(.ok, after: ContinuousClock.now - started)
            return response
        } catch {
            target.measures.record(Outcome(error), after: ContinuousClock.now - started)
            throw error
        }
    }

    // The pipeline's steps run on the caller's executor (`nonisolated(nonsending)`): no executor hop per step.
    nonisolated(nonsending) private func callWithRetries<Request, Response>(
        _ endpoint: Endpoint<Request, Response>,
        _ request: Request,
        _ target: CallTarget
    ) async throws -> Response {
        let protection = target.protection
        // One reading serves the budget, the breaker's permission and the deadline of the first attempt.
        var now = clock.now
        protection.retryBudget.recordRequest(now: now)
        // The retry decisions (idempotency, attempts, budget, backoff with jitter) are the state machine's, as in
        // `withRetry`; this loop only adds the per-attempt work of the pipeline.
        var machine = RetryStateMachine(policy: configuration.retry, isIdempotent: endpoint.isIdempotent)
        var generator = SystemRandomNumberGenerator()
        // The instances this call's attempts failed on: a retry goes elsewhere when it can.
        var failedOn: [InstanceID] = []
        // The last error of an attempt that was made and may have taken effect (a timeout, say).
        var reached: (any Error)?
        while true {
            do {
                return try await attemptCall(endpoint, request, protection, now: now, failedOn: &failedOn)
            } catch {
                if !Self.changedNothing(error) {
                    reached = error
                } else if let reached {
                    // A retry refused (the breaker opened meanwhile, say) says nothing of the attempt before it,
                    // which may have taken effect: the caller must not take the call for one never made.
                    throw ResilienceError.retriesExhausted(attempts: machine.attempts + 1, lastError: reached)
                }
                let classification: RetryClassification = Self.isTransient(error) && !Task.isCancelled ? .retryable : .nonRetryable
                let failedAt = clock.now
                let decision = protection.retryBudget.withLock { budget in
                    machine.onFailure(classification, budget: &budget, now: failedAt, random: &generator)
                }
                switch decision {
                case .retry(let delay):
                    target.measures.retries.increment()
                    try await clock.sleep(for: delay)
                    now = clock.now
                case .giveUp(.notIdempotent), .giveUp(.nonRetryable):
                    throw error
                case .giveUp:
                    throw machine.attempts == 1 ? error : ResilienceError.retriesExhausted(attempts: machine.attempts, lastError: error)
                }
            }
        }
    }

    nonisolated(nonsending) private func attemptCall<Request, Response>(
        _ endpoint: Endpoint<Request, Response>,
        _ request: Request,
        _ protection: ServiceProtection,
        now: ServiceInstant,
        failedOn: inout [InstanceID]
    ) async throws -> Response {
        guard let discovered = registry.discovery(endpoint.service), !discovered.ids.isEmpty else {
            throw ResilienceError.noHealthyInstance(service: endpoint.service)
        }
        let ticket = try protection.breaker.acquirePermission(now: now)
        var candidates = protection.outliers.admitted(discovered.ids, now: now)
        if !failedOn.isEmpty, candidates.contains(where: { !failedOn.contains($0) }) { candidates.removeAll { failedOn.contains($0) } }
        guard let chosen = protection.balancer.acquire(from: candidates), let instance = discovered.instance(chosen) else {
            protection.breaker.record(.ignoredError, for: ticket)
            throw ResilienceError.noHealthyInstance(service: endpoint.service)
        }
        defer { protection.balancer.release(chosen) }
        do {
            try await protection.bulkhead.acquire()
        } catch {
            protection.breaker.record(.ignoredError, for: ticket)
            throw error
        }
        defer { protection.bulkhead.release() }
        let transport = transport
        let faults = faults
        let clock = clock
        do {
            let response = try await deadlines.withDeadline(endpoint.timeout, from: now, endpoint: endpoint.name) {
                try await faults.apply(endpoint: endpoint.name, service: endpoint.service, instance: chosen, clock: clock)
                return try await transport.call(endpoint, request, on: instance)
            }
            protection.breaker.record(.success, for: ticket)
            protection.outliers.record(chosen, failed: false, among: discovered.ids, now: now)
            return response
        } catch {
            let outcome = Self.breakerOutcome(error)
            protection.breaker.record(outcome, for: ticket)
            if outcome != .ignoredError { protection.outliers.record(chosen, failed: outcome == .failure, among: discovered.ids, now: clock.now) }
            if outcome == .failure { failedOn.append(chosen) }
            throw error
        }
    }

    // MARK: - Classifying errors

    /// Whether an attempt's error says the call did not take effect: the pipeline did not make it (the circuit
    /// open, no instance, at capacity), or the service answered that it could do nothing (a full disk).
    static func changedNothing(_ error: any Error) -> Bool {
        if let error = error as? ResilienceError { return [.circuitOpen, .noHealthyInstance, .bulkheadFull].contains(error.code) }
        return error.serviceUnavailability != nil
    }

    /// Whether another attempt might succeed. A service that says it is unavailable (a full disk) is not tried again
    /// after a backoff of milliseconds: the condition lasts longer, and its siblings share it.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case is any ServiceFailure, is CancellationError: false
        case let error as RemoteCallError: error.kind == .internalError
        case let error as ResilienceError: error.code == .timeout
        case is InjectedFault: true
        default: true
        }
    }

    /// What an attempt's error says about the service's health. An unavailable service (its storage full, say)
    /// answered at once and clearly: counted as a failure it would open the breaker and stop the calls that still
    /// work (reads), and eject instances that share the cause, so it counts for nothing.
    static func breakerOutcome(_ error: any Error) -> CircuitBreaker.Outcome {
        switch error {
        case is any ServiceFailure: .success
        case is CancellationError: .ignoredError
        case let error as RemoteCallError where error.kind == .badRequest || error.kind == .unavailable: .ignoredError
        default: .failure
        }
    }

    // MARK: - Per service state

    /// The protection and metrics of `endpoint`: one lookup per call.
    private func target<Request, Response>(of endpoint: Endpoint<Request, Response>) -> CallTarget {
        if let existing = targets.withLock({ $0[endpoint.name] }) { return existing }
        let created = CallTarget(protection: protection(for: endpoint.service), measures: EndpointMetrics(endpoint: endpoint.name, metrics: metrics))
        return targets.withLock { targets in
            if let existing = targets[endpoint.name] { return existing }
            targets[endpoint.name] = created
            return created
        }
    }

    private func protection(for service: String) -> ServiceProtection {
        if let existing = services.withLock({ $0[service] }) { return existing }
        let created = ServiceProtection(service: service, configuration: configuration, metrics: metrics, logger: logger, clock: clock)
        return services.withLock { services in
            if let existing = services[service] { return existing }
            services[service] = created
            return created
        }
    }

    /// Each called service's circuit breaker, for operators.
    public var breakers: [String: CircuitBreaker.Snapshot] {
        services.withLock { $0.mapValues(\.breaker.snapshot) }
    }

    /// The instances out of the rotation now, by service, for operators.
    public var ejections: [String: [InstanceID: OutlierDetector.Ejection]] {
        services.withLock { $0.mapValues(\.outliers.ejections) }.filter { !$0.value.isEmpty }
    }
}

/// What calls to one endpoint use: its service's protection and its own metrics.
private struct CallTarget: Sendable {
    let protection: ServiceProtection
    let measures: EndpointMetrics
}

/// The breaker, bulkhead, balancer, outlier detector and retry budget guarding calls to one service.
private final class ServiceProtection: Sendable {
    let breaker: SharedCircuitBreaker
    let outliers: OutlierDetector
    let bulkhead: SharedBulkhead
    let balancer: LoadBalancer
    let retryBudget: SharedRetryBudget

    init(service: String, configuration: ServiceClient.Configuration, metrics: MetricsRegistry, logger: Logger?, clock: any ServiceClock) {
        let state = metrics.makeGauge(
            name: "emporium_circuit_breaker_state",
            labels: [("service", service)],
            help: "Circuit breaker state per called service: 0 closed, 1 half-open, 2 open."
        )
        breaker = SharedCircuitBreaker(service: service, configuration: configuration.breaker, clock: clock) { transition in
            switch transition.to {
            case .closed: state.set(to: 0)
            case .halfOpen: state.set(to: 1)
            case .open: state.set(to: 2)
            }
        }
        bulkhead = SharedBulkhead(
            service: service,
            maxConcurrentCalls: configuration.maxConcurrentCalls,
            maxQueuedCalls: configuration.maxQueuedCalls
        )
        switch configuration.balancing {
        case .roundRobin: balancer = LoadBalancer(service: service, strategy: RoundRobin())
        case .powerOfTwoChoices: balancer = LoadBalancer(service: service, strategy: PowerOfTwoChoices())
        }
        retryBudget = SharedRetryBudget(configuration: configuration.retryBudget)
        outliers = OutlierDetector(service: service, configuration: configuration.outliers) { event in
            switch event {
            case .ejected(let instance, let until, let count, let reason):
                metrics.makeCounter(
                    name: "emporium_instance_ejections_total",
                    labels: [("service", service), ("instance", instance.rawValue)],
                    help: "Times an instance was taken out of the rotation for failing while its siblings did not."
                ).increment()
                Self.ejectedGauge(metrics, service, instance).set(to: 1)
                logger?.warning(
                    "instance ejected from the rotation",
                    metadata: [
                        "service": "\(service)", "instance": "\(instance.rawValue)", "reason": "\(reason)", "ejection": "\(count)",
                        "seconds": "\((until - clock.now) / .seconds(1))",
                    ]
                )
            case .returned(let instance):
                Self.ejectedGauge(metrics, service, instance).set(to: 0)
                logger?.info("instance back in the rotation, on probation", metadata: ["service": "\(service)", "instance": "\(instance.rawValue)"])
            }
        }
    }

    private static func ejectedGauge(_ metrics: MetricsRegistry, _ service: String, _ instance: InstanceID) -> Gauge {
        metrics.makeGauge(
            name: "emporium_instance_ejected",
            labels: [("service", service), ("instance", instance.rawValue)],
            help: "1 while an instance is out of the rotation for failing, else 0."
        )
    }
}

/// How a call ended, as counted. The raw value indexes the endpoint's counters (`allCases` order).
enum Outcome: Int, CaseIterable {
    case ok
    case declaredFailure
    case error
    case timeout
    case circuitOpen
    case bulkheadFull
    case noInstance
    case cancelled
    /// The service said it cannot do it now (``RemoteCallError/Kind/unavailable``: its storage is full, say).
    case unavailable

    /// The `outcome` label.
    var label: String {
        switch self {
        case .ok: "ok"
        case .declaredFailure: "declared-failure"
        case .error: "error"
        case .timeout: "timeout"
        case .circuitOpen: "circuit-open"
        case .bulkheadFull: "bulkhead-full"
        case .noInstance: "no-instance"
        case .cancelled: "cancelled"
        case .unavailable: "unavailable"
        }
    }

    init(_ error: any Error) {
        switch error {
        case is any ServiceFailure: self = .declaredFailure
        case is CancellationError: self = .cancelled
        case let error as RemoteCallError where error.kind == .unavailable: self = .unavailable
        case let error as ResilienceError:
            switch error.code {
            case .timeout: self = .timeout
            case .circuitOpen: self = .circuitOpen
            case .bulkheadFull: self = .bulkheadFull
            case .noHealthyInstance: self = .noInstance
            default: self = error.underlyingError.map { Outcome($0) } ?? .error
            }
        default: self = .error
        }
    }
}

/// The counters and histogram of one endpoint.
private final class EndpointMetrics: Sendable {
    /// By outcome, indexed by its raw value.
    let outcomes: [Counter]
    let duration: Histogram
    let retries: Counter

    init(endpoint: String, metrics: MetricsRegistry) {
        outcomes = Outcome.allCases.map { outcome in
            metrics.makeCounter(
                name: "emporium_calls_total",
                labels: [("endpoint", endpoint), ("outcome", outcome.label)],
                help: "Calls between services by endpoint and outcome."
            )
        }
        duration = metrics.makeHistogram(
            name: "emporium_call_duration_seconds",
            labels: [("endpoint", endpoint)],
            buckets: [0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
            help: "Time from call to reply, retries included."
        )
        retries = metrics.makeCounter(name: "emporium_call_retries_total", labels: [("endpoint", endpoint)], help: "Retried call attempts.")
    }

    func record(_ outcome: Outcome, after duration: Duration) {
        outcomes[outcome.rawValue].increment()
        self.duration.record(duration)
    }
}
