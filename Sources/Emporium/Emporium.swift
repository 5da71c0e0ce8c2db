import Catalog
public import CatalogAPI
public import Foundation
public import Gateway
import HTTP
import Identity
public import IdentityAPI
public import Messaging
import Search
public import SearchAPI
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
/// let page = try await system.catalog.products(ProductQuery(limit: 5))
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
    /// The catalog, through the call pipeline.
    public let catalog: any CatalogService
    /// Search, through the call pipeline.
    public let search: any SearchService
    /// Identity, through the call pipeline.
    public let identity: any IdentityService
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
    /// The first administrator's password when Emporium generated it (also in the data directory's
    /// `initial-admin-password`); `nil` when the configuration gave one.
    public let initialAdminPassword: String?
    /// The port the HTTP server listens on; 0 when ``EmporiumConfiguration/serveHTTP`` is off.
    public let port: Int

    let modules: [Module]
    let outboxes: [Outbox]
    let startedAt = Date()
    private let logger: Logger
    private let group: ServiceGroup
    private let catalogService: SQLiteCatalogService
    private let background = Mutex<Task<Void, any Error>?>(nil)

    /// `http://host:port`.
    public var baseURL: URL { URL(string: "http://\(configuration.host):\(port)")! }

    /// Builds the system and binds its port; nothing runs until ``run()``.
    ///
    /// Opens (and migrates) each module's database, imports the seed catalog into an empty catalog, creates the
    /// first administrator, registers every instance and declares the gateway's routes.
    /// - Parameters:
    ///   - configuration: How to build it.
    ///   - signals: Signals that stop ``run()`` gracefully; `nil` for SIGTERM and SIGINT, `[]` for none.
    /// - Throws: ``EmporiumError`` saying what is wrong (port in use, data directory not writable, a damaged or
    ///   newer database, a malformed seed catalog).
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
            configuration: ServiceClient.Configuration(balancing: configuration.balancing),
            faults: faults,
            metrics: metrics,
            tracer: tracer
        )
        let bus = InProcessMessageBus(metrics: metrics, tracer: tracer)
        self.metrics = metrics
        self.tracer = tracer
        self.registry = registry
        self.client = client
        self.bus = bus

        // Modules: each on its own database, reached only through its API client.
        func open(_ module: String) throws -> Database {
            let path = dataDirectory.map { "\($0)/\(module).sqlite" }
            do {
                let databaseConfiguration = Database.Configuration(synchronous: configuration.durableCommits ? .full : .normal)
                guard let path else { return try Database.inMemory(configuration: databaseConfiguration) }
                return try Database(path: path, configuration: databaseConfiguration)
            } catch {
                throw EmporiumError.database(module, path: path ?? ":memory:", error)
            }
        }
        func migrate<Module>(_ module: String, _ database: Database, _ body: () async throws -> Module) async throws -> Module {
            do {
                return try await body()
            } catch let error as StorageError {
                throw EmporiumError.database(module, path: database.path, error)
            }
        }

        let catalogDatabase = try open("catalog")
        let catalogService = try await migrate("catalog", catalogDatabase) { try SQLiteCatalogService(database: catalogDatabase) }
        self.catalogService = catalogService
        let catalogClient = CatalogClient(client: client)

        let searchDatabase = try open("search")
        let searchService = try await migrate("search", searchDatabase) { try SQLiteSearchService(database: searchDatabase, catalog: catalogClient) }
        searchService.subscribe(to: bus)

        let identityDatabase = try open("identity")
        let secret = try configuration.signingSecret ?? Self.signingSecret(in: dataDirectory)
        let (adminPassword, generated) = try Self.adminPassword(configuration, dataDirectory: dataDirectory)
        initialAdminPassword = generated ? adminPassword : nil
        let identityService = try await migrate("identity", identityDatabase) {
            try await SQLiteIdentityService(
                database: identityDatabase,
                configuration: SQLiteIdentityService.Configuration(
                    signingSecret: secret,
                    passwordCost: configuration.passwordCost,
                    initialAdmin: Registration(email: configuration.adminEmail, password: adminPassword)
                )
            )
        }

        var catalogHandlers = EndpointHandlers()
        catalogHandlers.registerCatalog(catalogService)
        var searchHandlers = EndpointHandlers()
        searchHandlers.registerSearch(searchService)
        var identityHandlers = EndpointHandlers()
        identityHandlers.registerIdentity(identityService)
        modules = [
            Module(name: "catalog", database: catalogDatabase, handlers: catalogHandlers, publishes: CatalogEvents.published),
            Module(name: "search", database: searchDatabase, handlers: searchHandlers, publishes: []),
            Module(name: "identity", database: identityDatabase, handlers: identityHandlers, publishes: IdentityEvents.published),
        ]
        catalog = catalogClient
        search = SearchClient(client: client)
        identity = IdentityClient(client: client)

        try Self.checkNames(in: configuration, modules: modules)

        // Instances: registered now so the system takes calls as soon as it runs; each heartbeat deregisters its
        // instance on stop.
        var services: [any Service] = [registry, bus]
        for module in modules {
            let replicas = configuration.replicas[module.name] ?? 1
            guard replicas >= 1 else { throw EmporiumError(.invalidConfiguration, "replicas of \(module.name) must be at least 1") }
            for index in 1...replicas {
                let id = InstanceID(rawValue: "\(module.name)-\(index)")
                registry.register(
                    ServiceInstance(service: module.name, id: id, version: Self.version, address: .inProcess(module.handlers))
                )
                let database = module.database
                services.append(
                    InstanceHeartbeat(instance: id, registry: registry, interval: registry.heartbeatTimeout / 4) {
                        _ = try await database.read { try $0.scalar(Int.self, "SELECT 1") }
                    }
                )
            }
        }
        outboxes = [catalogService.outbox, identityService.outbox]
        services += outboxes.map { OutboxRelay(outbox: $0, bus: bus, metrics: metrics) } as [any Service]

        // First start: the seed catalog.
        if let seed = configuration.seedCatalog, try await catalogService.categories().isEmpty {
            // One trace for the whole import: its events, and their indexing, join it.
            _ = try await tracer.withSpan("seed catalog") { _ in try await Self.importCatalog(from: seed, into: catalogService) }
        }

        // The edge.
        var gateway = Gateway(
            client: client,
            configuration: Gateway.Configuration(
                rateLimits: [RateLimitPolicy(name: "auth", limit: 20, window: .seconds(60))]
                    + (configuration.requestsPerMinute > 0
                        ? [RateLimitPolicy(name: "default", limit: configuration.requestsPerMinute, window: .seconds(60))] : []),
                impliedRoles: ["admin": ["customer"]]
            ),
            tokenVerifier: JWTTokenVerifier(signer: JWTSigner(secret: secret)),
            metrics: metrics,
            tracer: tracer,
            logger: Logger(label: "gateway", handler: logger.handler)
        )
        ShopRoutes.add(to: &gateway, bus: bus)
        let operations = Operations(
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            traces: tracer.store,
            modules: modules,
            outboxes: [catalogService.outbox.name, identityService.outbox.name],
            deadLetterStores: [searchService.deadLetters, bus.defaultDeadLetters],
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
    /// reverse start order: the HTTP server first (in-flight requests finish), then the relays, the instances, the
    /// bus and the registry.
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

    /// Whether the system has caught up with what was written: every committed event is published, and every
    /// consumer group has handled (or dead-lettered) each event of its topics. Search reflects the catalog then.
    public func hasSettled() async throws -> Bool {
        guard try await unpublishedEvents() == 0 else { return false }
        func totals(_ family: String, by key: (MetricSample) -> String) -> [String: Double] {
            Dictionary(metrics.samples(named: family).map { (key($0), $0.value) }, uniquingKeysWith: +)
        }
        let published = totals("emporium_bus_published_total") { $0.labels["topic"] ?? "" }
        let groupKey = { (sample: MetricSample) in "\(sample.labels["topic"] ?? "") \(sample.labels["group"] ?? "")" }
        let deadLettered = totals("emporium_bus_dead_lettered_total", by: groupKey)
        for delivered in metrics.samples(named: "emporium_bus_delivered_total") {
            let handled = delivered.value + (deadLettered[groupKey(delivered)] ?? 0)
            if handled < published[delivered.labels["topic"] ?? ""] ?? 0 { return false }
        }
        return true
    }

    private func closeDatabases() {
        for module in modules { module.database.close() }
    }

    /// Copies every module's database into `directory` with SQLite's online backup (consistent, while serving).
    /// - Returns: The files written, one per module.
    /// - Throws: ``StorageError`` when a copy fails; ``EmporiumError`` when the directory cannot be created.
    @discardableResult
    public func backup(to directory: String) async throws -> [String] {
        try Self.createDirectory(directory)
        var written: [String] = []
        for module in modules {
            let destination = "\(directory)/\(module.name).sqlite"
            let database = module.database
            try await Task.detached { try database.backup(to: destination) }.value
            written.append(destination)
        }
        return written
    }

    /// Imports a catalog document (the seed format) into the catalog; products whose SKU exists are skipped.
    /// - Throws: ``EmporiumError`` (`seedInvalid`) when the file cannot be read or is malformed.
    @discardableResult
    public func importCatalog(from url: URL) async throws -> CatalogImportSummary {
        let catalogService = catalogService
        return try await tracer.withSpan("import catalog") { _ in try await Self.importCatalog(from: url, into: catalogService) }
    }

    /// Committed events every outbox has yet to publish; 0 once the running system has caught up.
    public func unpublishedEvents() async throws -> Int {
        var total = 0
        for outbox in outboxes { total += try await outbox.backlog() }
        return total
    }

    /// The modules as wired: instances, endpoints, and the topics each publishes and consumes.
    public var moduleDescriptions: [ModuleDescription] {
        let bindings = bus.bindings
        let entries = registry.entries
        return modules.map { module in
            ModuleDescription(
                name: module.name,
                database: module.database.path,
                instances: entries.filter { $0.instance.service == module.name }.map { "\($0.instance.id)" },
                endpoints: module.handlers.endpointNames,
                publishes: module.publishes,
                consumes: Array(Set(bindings.filter { $0.group == module.name }.map(\.topic))).sorted()
            )
        }
    }
}
