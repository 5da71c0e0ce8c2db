public import CatalogAPI
public import Foundation
public import Gateway
import HTTP
import IdentityAPI
public import Messaging
public import ModuleKit
import Security
public import ServiceKit
import Storage
import StoreFront
import Synchronization
public import Telemetry

/// The whole platform in one process: every module on its own database, the registry, the message bus, the
/// outbox relays, the gateway and the HTTP server, wired from one ``EmporiumConfiguration``.
///
/// This is the composition root: the only place that imports module implementations. Everything else reaches a
/// module through its `…API` client, over the call pipeline (discovery, balancing, breaker, timeout, retry, faults).
///
/// ```swift
/// let system = try await Emporium.start(EmporiumConfiguration(dataDirectory: "/tmp/shop"))
/// let page = try await CatalogClient(client: system.client).products(ProductQuery(limit: 5))
/// print(system.baseURL, page.products.map(\.name))
/// await system.stop()
/// ```
///
/// Use ``start(_:)`` to run it in the background (embedding, tests), or ``init(configuration:signals:)`` and
/// ``run()`` to run it in the foreground until a signal stops it (`emporium serve`).
public final class Emporium: Service {
    /// The version the instances register with.
    public static let version = "0.2.0"

    public let name = "emporium"
    /// The configuration it was built from.
    public let configuration: EmporiumConfiguration
    /// Where instances register and calls discover them.
    public let registry: ServiceRegistry
    /// The call pipeline every module call goes through.
    public let client: ServiceClient
    /// The message bus events travel on.
    public let bus: InProcessMessageBus
    /// Every metric the system records; `/metrics` exposes it.
    public let metrics: MetricsRegistry
    /// The tracer whose store keeps the recent traces.
    public let tracer: Tracer
    /// The gateway's routes, as declared.
    public let routes: [RouteDescription]
    /// What the modules said at start, for the operator: the first administrator, what was seeded.
    public let notes: [String]
    /// The port the HTTP server listens on; 0 when ``EmporiumConfiguration/serveHTTP`` is off.
    public let port: Int

    /// The modules as wired.
    let modules: ModuleHost
    let startedAt = Date()
    private let logger: Logger
    private let group: ServiceGroup
    private let background = Mutex<Task<Void, any Error>?>(nil)

    /// `http://host:port`.
    public var baseURL: URL { URL(string: "http://\(configuration.host):\(port)")! }

    /// Builds the system and binds its port; nothing runs until ``run()``.
    ///
    /// Wires every capability (``capabilities``) with one loop (``ModuleKit/ModuleHost``): opens and migrates each
    /// module's database, builds it, registers its instances, subscribes its consumer group and relays its
    /// outbox; then runs each module's first-start step (seed catalog, first administrator) and declares the
    /// gateway's routes.
    /// - Parameters:
    ///   - configuration: How to build it.
    ///   - signals: Signals that stop ``run()`` gracefully; `nil` for SIGTERM and SIGINT, `[]` for none.
    /// - Throws: ``EmporiumError`` saying what is wrong (port in use, data directory not writable, a damaged or
    ///   newer database, a malformed seed catalog, an unknown setting).
    public init(configuration: EmporiumConfiguration, signals: [Int32]? = []) async throws {
        self.configuration = configuration
        let dataDirectory = try Self.prepare(dataDirectory: configuration.dataDirectory)

        var logger = Logger(label: "emporium", handler: JSONLinesLogHandler(output: .standardError, logLevel: configuration.logLevel))
        logger.logLevel = configuration.logLevel
        self.logger = logger
        let metrics = MetricsRegistry()
        let tracer = Tracer(
            service: "emporium",
            store: TraceStore(maxTraces: configuration.tracesKept),
            maxTracesPerSecond: configuration.tracesPerSecond
        )
        let registry = ServiceRegistry()
        let faults = FaultInjector()
        for (target, fault) in configuration.faults { faults.setFault(fault, for: target) }
        let client = ServiceClient(
            registry: registry,
            transport: InProcessTransport(mode: configuration.transport),
            // A breaker stays open 10 s before it probes (resilience4j's 60 s is long for calls inside one process):
            // a dependency that heals is back in use within seconds.
            configuration: ServiceClient.Configuration(
                balancing: configuration.balancing,
                breaker: CircuitBreaker.Configuration(waitDurationInOpenState: .seconds(10))
            ),
            faults: faults,
            metrics: metrics,
            tracer: tracer,
            logger: logger
        )
        let bus = InProcessMessageBus(metrics: metrics, tracer: tracer)
        self.metrics = metrics
        self.tracer = tracer
        self.registry = registry
        self.client = client
        self.bus = bus

        let secret = try configuration.signingSecret ?? Self.signingSecret(in: dataDirectory)
        let modules: ModuleHost
        do {
            modules = try await ModuleHost(
                modules: Self.capabilities.map(\.module),
                configuration: ModuleHost.Configuration(
                    dataDirectory: dataDirectory,
                    durableCommits: configuration.durableCommits,
                    replicas: configuration.replicas,
                    settings: configuration.settings,
                    signingSecret: secret,
                    version: Self.version
                ),
                registry: registry,
                client: client,
                bus: bus,
                metrics: metrics,
                logger: logger
            )
        } catch {
            throw EmporiumError(error)
        }
        self.modules = modules
        do {
            try Self.checkFaults(in: configuration, modules: modules)
            // First start: one trace for each module's step, so the events it writes (and their handling) join it.
            notes = try await modules.seed(tracer: tracer)
        } catch {
            modules.close()
            throw (error as? ModuleHostError).map(EmporiumError.init) ?? error
        }

        // Parts run in this order and stop in reverse: the bus first, the HTTP server last. The registry's sweep
        // of silent instances starts after the heartbeats: on a busy machine starting the services has taken over
        // ten seconds, and a sweep running before the first beats took every instance out of rotation.
        var services: [any Service] = [bus]
        services += modules.services
        services.append(registry)

        // The edge.
        var gateway = Gateway(
            client: client,
            configuration: Gateway.Configuration(
                // 0 turns off the logins' class too: a load test's shoppers all register and log in from one address.
                rateLimits: configuration.requestsPerMinute > 0
                    ? (configuration.authRequestsPerMinute > 0
                        ? [RateLimitPolicy(name: "auth", limit: configuration.authRequestsPerMinute, window: .seconds(60))] : [])
                        + [RateLimitPolicy(name: "default", limit: configuration.requestsPerMinute, window: .seconds(60))]
                    : [],
                responseCaching: configuration.responseCache,
                impliedRoles: ["admin": ["customer"]],
                maxRequestsInFlight: configuration.maxRequestsInFlight,
                admissionQueueTarget: configuration.admissionQueueTarget
            ),
            tokenVerifier: JWTTokenVerifier(signer: JWTSigner(secret: secret)),
            metrics: metrics,
            tracer: tracer,
            logger: Logger(label: "gateway", handler: logger.handler)
        )
        for capability in Self.capabilities { capability.routes(&gateway) }
        AccountRoutes.add(to: &gateway)
        // Accounts deleted before this start: their tokens may not have expired yet. Later deletions arrive as events.
        do {
            gateway.revokedSubjects.revoke(contentsOf: try await IdentityClient(client: client).deletedUsers().map(\.id.rawValue))
        } catch {
            modules.close()
            throw error
        }
        gateway.subscribeInvalidations(to: bus)
        let operations = Operations(
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            traces: tracer.store,
            modules: modules,
            faultTargets: Self.faultTargets(configuration, modules: modules),
            startedAt: startedAt
        )
        operations.addRoutes(to: &gateway)
        if configuration.serveStoreFront {
            gateway.mount(StaticFiles(directory: StoreFront.directory.path), at: "/")
        }
        routes = gateway.routes
        var serverConfiguration = HTTPServer.Configuration(host: configuration.host, port: configuration.port)
        if let loops = configuration.eventLoops { serverConfiguration.eventLoopCount = loops }
        if configuration.serveHTTP {
            let server = gateway.makeServer(configuration: serverConfiguration)
            do {
                port = try server.start()
            } catch {
                modules.close()
                throw EmporiumError.listen(host: configuration.host, port: configuration.port, error)
            }
            services.append(ServerService(server: server))
        } else {
            port = 0
        }
        group = ServiceGroup(services: services, signals: signals, logger: logger)
    }

    /// Builds the system and runs it in the background; ``stop()`` ends it.
    /// - Throws: ``EmporiumError``, as ``init(configuration:signals:)``.
    public static func start(_ configuration: EmporiumConfiguration) async throws -> Emporium {
        let system = try await Emporium(configuration: configuration, signals: [])
        system.background.withLock { $0 = Task { _ = try await system.group.run() } }
        return system
    }

    /// Runs every part until a signal (see ``init(configuration:signals:)``) or ``stop()``, then stops them in
    /// reverse start order: the HTTP server first (in-flight requests finish), then the registry's sweep, the
    /// modules' services, the instances, the relays and the bus.
    public func run() async throws {
        _ = try await group.run()
        closeDatabases()
    }

    /// Stops the system gracefully and waits until it has stopped; closes the databases of one that never ran.
    public func stop() async {
        group.triggerGracefulShutdown()
        if let task = background.withLock({ $0 }) { _ = try? await task.value }
        closeDatabases()
    }

    /// Whether the system has caught up with what was written: every consumer group has handled (or
    /// dead-lettered) every committed event of its types. Search reflects the catalog then.
    public func hasSettled() async throws -> Bool {
        try await modules.hasSettled()
    }

    private func closeDatabases() {
        modules.close()
    }

    /// Copies every module's database into `directory` with SQLite's online backup (consistent, while serving).
    /// - Returns: The files written, one per module.
    /// - Throws: ``StorageError`` when a copy fails; ``EmporiumError`` when the directory cannot be created.
    @discardableResult
    public func backup(to directory: String) async throws -> [String] {
        try Self.createDirectory(directory)
        return try await modules.backup(to: directory)
    }

    /// Imports a catalog document (the seed format) into the catalog through its API; products whose SKU exists
    /// are skipped.
    /// - Throws: ``EmporiumError`` (`seedInvalid`) when the file cannot be read or is malformed.
    @discardableResult
    public func importCatalog(from url: URL) async throws -> CatalogImportReport {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EmporiumError(.seedInvalid, "\(url.path): cannot read the catalog document (\(error.localizedDescription))")
        }
        let catalog = CatalogClient(client: client)
        do {
            return try await tracer.withSpan("import catalog") { _ in try await catalog.importCatalog(CatalogUpload(json: data)) }
        } catch let error as CatalogError {
            throw EmporiumError(.seedInvalid, "\(url.path): \(error)")
        }
    }

    /// Committed events some consumer group has yet to handle; 0 once the running system has caught up.
    public func unpublishedEvents() async throws -> Int {
        try await modules.outboxProgress().reduce(0) { $0 + $1.groups.reduce(0) { $0 + $1.pending } }
    }

    /// The modules as wired: instances, endpoints, the events each publishes and consumes, its settings.
    public var moduleDescriptions: [ModuleDescription] {
        modules.descriptions(registry: registry)
    }
}
