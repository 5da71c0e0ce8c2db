import Foundation
import Gateway
import HTTP
import Messaging
import ModuleKit
import ServiceKit
import Telemetry

/// The operations API under `/admin/` (admin role): what the dashboard draws. Every view is read from the live
/// system (registry, call pipeline, bus, metrics, trace store) when asked.
struct Operations: Sendable {
    let registry: ServiceRegistry
    let client: ServiceClient
    let bus: InProcessMessageBus
    let metrics: MetricsRegistry
    let traces: TraceStore
    let modules: ModuleHost
    /// The services, instances and endpoints a fault may name.
    let faultTargets: Set<String>
    let startedAt: Date

    /// The views are polled by the dashboard, so they are not traced.
    func addRoutes(to gateway: inout Gateway) {
        let admin = Access.authenticated("admin")
        gateway.route(.get, "/admin/services", access: admin, rateLimitClass: nil, traced: false) { _ in services() }
        gateway.route(.get, "/admin/outbox", access: admin, rateLimitClass: nil, traced: false) { _ in try await outboxReport() }
        gateway.route(.get, "/admin/dead-letters", access: admin, rateLimitClass: nil, traced: false) { request in
            try await deadLetters(limit: try limit(request, default: 50))
        }
        gateway.route(.post, "/admin/dead-letters/{eventId}/replay", access: admin, rateLimitClass: nil, traced: false) { request in
            guard let group = request.queryParameter("group"), !group.isEmpty else { throw GatewayError.invalidField("group", "is required") }
            let eventID = try request.pathParameter("eventId")
            for store in deadLetterStores {
                do {
                    try await store.replay(eventID: eventID, group: group, on: bus)
                    return Replayed(replayed: true)
                } catch MessagingError.deadLetterNotFound {
                    continue
                }
            }
            throw GatewayError(status: .notFound, detail: "No dead letter \(eventID) for group \(group).", problemType: "dead-letter-not-found")
        }
        gateway.route(.get, "/admin/traces", access: admin, rateLimitClass: nil, traced: false) { request in
            recentTraces(limit: try limit(request, default: 20))
        }
        gateway.route(.get, "/admin/stats", access: admin, rateLimitClass: nil, traced: false) { _ in stats() }
        // Faults at run time, for drills: what `--fault` sets at start, changed while the system serves.
        gateway.route(.get, "/admin/faults", access: admin, rateLimitClass: nil, traced: false) { _ in faultsView() }
        gateway.route(.put, "/admin/faults/{target}", access: admin, rateLimitClass: nil, traced: false) { request in
            let target = try faultTarget(request)
            let body = try request.decodeBody(FaultSetting.self)
            guard (0...1).contains(body.errorRate ?? 0) else { throw GatewayError.invalidField("errorRate", "must be a share from 0 to 1") }
            guard (0...600_000).contains(body.latencyMs ?? 0) else { throw GatewayError.invalidField("latencyMs", "must be from 0 to 600000") }
            guard body.errorRate != nil || body.latencyMs != nil else {
                throw GatewayError.invalidField("errorRate", "or latencyMs is required; DELETE clears a fault")
            }
            client.faults.setFault(
                FaultInjector.Fault(latency: body.latencyMs.map { .milliseconds($0) }, errorRate: body.errorRate ?? 0),
                for: target
            )
            return faultsView()
        }
        gateway.route(.delete, "/admin/faults/{target}", access: admin, rateLimitClass: nil, traced: false) { request in
            client.faults.setFault(nil, for: try faultTarget(request))
            return faultsView()
        }
        // Taking an instance down makes every call to it fail while it still heartbeats, as a broken replica would:
        // what outlier ejection is for. Up clears it.
        for (action, down) in [("down", true), ("up", false)] {
            gateway.route(.post, "/admin/instances/{id}/\(action)", access: admin, rateLimitClass: nil, traced: false) { request in
                let id = try request.pathParameter("id")
                guard let entry = registry.entry(InstanceID(rawValue: id)) else {
                    throw GatewayError(status: .notFound, detail: "There is no instance \(id).", problemType: "instance-not-found")
                }
                client.faults.setDown(down, instance: entry.instance.id)
                guard let view = services().services.lazy.flatMap(\.instances).first(where: { $0.id == id }) else {
                    throw GatewayError(status: .notFound, detail: "There is no instance \(id).", problemType: "instance-not-found")
                }
                return view
            }
        }
    }

    private func faultTarget(_ request: GatewayRequest) throws -> String {
        let target = try request.pathParameter("target")
        guard faultTargets.contains(target) else {
            throw GatewayError(
                status: .notFound,
                detail: "There is no service, instance or endpoint \(target); GET /admin/services lists them.",
                problemType: "fault-target-not-found"
            )
        }
        return target
    }

    /// The body of `PUT /admin/faults/{target}`.
    struct FaultSetting: Codable, Sendable {
        /// Added to every call, in milliseconds.
        var latencyMs: Int?
        /// The share of calls that fail, 0 to 1.
        var errorRate: Double?
    }

    struct FaultsView: Encodable, Sendable {
        struct Fault: Encodable, Sendable {
            var target: String
            var latencyMs: Int?
            var errorRate: Double
        }
        var faults: [Fault]
        var down: [String]
    }

    func faultsView() -> FaultsView {
        let current = client.faults.current
        return FaultsView(
            faults: current.faults.sorted { $0.key < $1.key }.map { target, fault in
                FaultsView.Fault(target: target, latencyMs: fault.latency.map { Int($0 / .milliseconds(1)) }, errorRate: fault.errorRate)
            },
            down: current.down.map(\.rawValue).sorted()
        )
    }

    /// Every dead-letter store: the modules' own tables, then the bus's default for groups without one.
    private var deadLetterStores: [any DeadLetterStore] { modules.deadLetterStores + [bus.defaultDeadLetters] }

    private func limit(_ request: GatewayRequest, default value: Int) throws -> Int {
        guard let text = request.queryParameter("limit") else { return value }
        guard let limit = Int(text), (1...1000).contains(limit) else { throw GatewayError.invalidField("limit", "must be between 1 and 1000") }
        return limit
    }

    // MARK: - Views

    struct ServicesView: Encodable, Sendable {
        struct Instance: Encodable, Sendable {
            var id: String
            var version: String
            var health: String
            var secondsSinceHeartbeat: Double
            var endpoints: [String]
            /// Whether calls to it are made to fail (`POST /admin/instances/{id}/down`).
            var down: Bool
            /// When it is out of the rotation for failing: for how many more seconds, and the how manieth time.
            var ejection: Ejection?
        }
        struct Ejection: Encodable, Sendable {
            var secondsLeft: Double
            var count: Int
        }
        struct Breaker: Encodable, Sendable {
            var state: String
            var failureRate: Double?
            var calls: Int
        }
        struct Service: Encodable, Sendable {
            var name: String
            var instances: [Instance]
            var breaker: Breaker?
            var publishes: [String]
            var consumes: [String]
        }
        var services: [Service]
    }

    func services() -> ServicesView {
        let now = SystemClock().now
        let entries = registry.entries
        let breakers = client.breakers
        let ejections = client.ejections
        let down = client.faults.current.down
        let bindings = bus.bindings
        let wired = modules.modules
        let names = Set(entries.map(\.instance.service)).union(wired.map(\.module.name)).sorted()
        return ServicesView(
            services: names.map { name in
                let module = wired.first { $0.module.name == name }
                return ServicesView.Service(
                    name: name,
                    instances: entries.filter { $0.instance.service == name }.map { entry in
                        ServicesView.Instance(
                            id: entry.instance.id.rawValue,
                            version: entry.instance.version,
                            health: entry.health.rawValue,
                            secondsSinceHeartbeat: entry.lastHeartbeat.duration(to: now) / .seconds(1),
                            endpoints: entry.instance.endpointNames,
                            down: down.contains(entry.instance.id),
                            ejection: ejections[name]?[entry.instance.id].map {
                                ServicesView.Ejection(secondsLeft: max(0, now.duration(to: $0.until) / .seconds(1)), count: $0.count)
                            }
                        )
                    },
                    breaker: breakers[name].map {
                        ServicesView.Breaker(state: $0.state.rawValue, failureRate: $0.failureRate, calls: $0.bufferedCalls)
                    },
                    publishes: module?.module.publishes ?? [],
                    consumes: bindings.first { $0.group == name }?.eventTypes ?? []
                )
            }
        )
    }

    struct OutboxView: Encodable, Sendable {
        struct Group: Encodable, Sendable {
            var group: String
            var handledThrough: Int64
            var backlog: Int
            var relayed: Int
        }
        struct Outbox: Encodable, Sendable {
            var module: String
            var backlog: Int
            var relayed: Int
            var groups: [Group]
        }
        var outboxes: [Outbox]
    }

    /// Each outbox and, per consumer group, how far it has got: read from the outboxes' cursors, not metrics.
    func outboxReport() async throws -> OutboxView {
        OutboxView(
            outboxes: try await modules.outboxProgress().map { module, groups in
                OutboxView.Outbox(
                    module: module,
                    backlog: groups.map(\.pending).max() ?? 0,
                    relayed: groups.reduce(0) { $0 + $1.relayed },
                    groups: groups.map {
                        OutboxView.Group(group: $0.group, handledThrough: $0.handledThrough, backlog: $0.pending, relayed: $0.relayed)
                    }
                )
            }
        )
    }

    struct DeadLettersView: Encodable, Sendable {
        struct Letter: Encodable, Sendable {
            var eventId: String
            var type: String
            var group: String
            var error: String
            var attempts: Int
            var failedAt: Date
        }
        var deadLetters: [Letter]
    }

    func deadLetters(limit: Int) async throws -> DeadLettersView {
        var letters: [DeadLetter] = []
        for store in deadLetterStores { letters += try await store.list(limit: limit) }
        letters = Array(letters.sorted { $0.failedAt > $1.failedAt }.prefix(limit))
        return DeadLettersView(
            deadLetters: letters.map {
                DeadLettersView.Letter(
                    eventId: $0.envelope.id,
                    type: $0.envelope.type,
                    group: $0.group,
                    error: $0.error,
                    attempts: $0.attempts,
                    failedAt: $0.failedAt
                )
            }
        )
    }

    struct Replayed: Encodable, Sendable {
        var replayed: Bool
    }

    struct TracesView: Encodable, Sendable {
        struct Span: Encodable, Sendable {
            var spanId: String
            var parentSpanId: String?
            var name: String
            var service: String
            var kind: String
            var startOffsetMs: Double
            var durationMs: Double
            var error: Bool
        }
        struct Trace: Encodable, Sendable {
            var traceId: String
            var root: String
            var startTime: Date
            var durationMs: Double
            var error: Bool
            var spans: [Span]
        }
        var traces: [Trace]
    }

    func recentTraces(limit: Int) -> TracesView {
        TracesView(
            traces: traces.recentTraces(limit: limit).compactMap { trace -> TracesView.Trace? in
                guard let start = trace.startTime else { return nil }
                let spans = trace.spans.sorted { $0.startTime < $1.startTime }.map { span in
                    TracesView.Span(
                        spanId: "\(span.spanID)",
                        parentSpanId: span.parentSpanID.map { "\($0)" },
                        name: span.operationName,
                        service: span.service,
                        kind: span.kind.rawValue,
                        startOffsetMs: span.startTime.timeIntervalSince(start) * 1000,
                        durationMs: span.duration / .milliseconds(1),
                        error: span.status.isError
                    )
                }
                return TracesView.Trace(
                    traceId: "\(trace.traceID)",
                    root: trace.rootSpan?.operationName ?? spans.first?.name ?? "",
                    startTime: start,
                    durationMs: trace.duration / .milliseconds(1),
                    error: spans.contains(where: \.error),
                    spans: spans
                )
            }
        )
    }

    struct StatsView: Encodable, Sendable {
        struct Route: Encodable, Sendable {
            var route: String
            var requests: Int
            var errors: Int
            var p50Ms: Double?
            var p99Ms: Double?
        }
        var uptimeSeconds: Double
        var requests: Int
        var clientErrors: Int
        var serverErrors: Int
        var rateLimited: Int
        var cacheHits: Int
        var cacheMisses: Int
        var routes: [Route]
    }

    func stats() -> StatsView {
        let requests = metrics.samples(named: "emporium_http_requests_total")
        let durations = metrics.samples(named: "emporium_http_request_duration_seconds")
        let cache = metrics.samples(named: "emporium_gateway_cache_total")
        func total(_ samples: [MetricSample], where include: (MetricSample) -> Bool = { _ in true }) -> Int {
            Int(samples.filter(include).reduce(0) { $0 + $1.value })
        }
        func status(_ sample: MetricSample) -> Int { Int(sample.labels["status"] ?? "") ?? 0 }
        var byRoute: [String: (requests: Int, errors: Int, methods: Set<String>)] = [:]
        for sample in requests {
            let route = sample.labels["route"] ?? "unmatched"
            var entry = byRoute[route] ?? (0, 0, [])
            entry.requests += Int(sample.value)
            if status(sample) >= 500 { entry.errors += Int(sample.value) }
            entry.methods.insert(sample.labels["method"] ?? "")
            byRoute[route] = entry
        }
        let routes = byRoute.keys.sorted().map { route in
            let entry = byRoute[route]!
            let histogram = durations.first { $0.labels["route"] == route }?.histogram
            return StatsView.Route(
                route: "\(entry.methods.sorted().joined(separator: ",")) \(route)",
                requests: entry.requests,
                errors: entry.errors,
                p50Ms: histogram?.quantile(0.5).map { $0 * 1000 },
                p99Ms: histogram?.quantile(0.99).map { $0 * 1000 }
            )
        }
        return StatsView(
            uptimeSeconds: Date().timeIntervalSince(startedAt),
            requests: total(requests),
            clientErrors: total(requests) { (400..<500).contains(status($0)) },
            serverErrors: total(requests) { status($0) >= 500 },
            rateLimited: total(requests) { status($0) == 429 },
            cacheHits: total(cache) { $0.labels["outcome"] == "hit" },
            cacheMisses: total(cache) { $0.labels["outcome"] == "miss" },
            routes: routes
        )
    }
}

extension SpanStatus {
    fileprivate var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
