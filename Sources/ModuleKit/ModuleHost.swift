import Foundation
public import Messaging
public import ServiceKit
public import Storage
public import Telemetry

/// The one wiring loop: takes a list of ``Module`` values and makes them a running set of services.
///
/// For each module, in order: opens its database (`<data>/<name>.sqlite`, or in memory), applies the messaging
/// tables and its migrations, builds its parts, registers its instances (`--replicas`) with a heartbeat that runs
/// its readiness probe, subscribes its consumer group, and relays its outbox to every group that takes its
/// events. The composition root (`Emporium`) and the module test harness both wire modules with it, so a
/// module is tested the way it runs. Everything that lists modules (services, backup, operations views,
/// ``hasSettled()``) reads from here.
public final class ModuleHost: Sendable {
    /// How modules are wired.
    public struct Configuration: Sendable {
        /// Where each module keeps `<name>.sqlite`; `nil` keeps every database in memory.
        public var dataDirectory: String?
        /// Whether commits wait for the disk (`FULL`) or only for the WAL (`NORMAL`).
        public var durableCommits: Bool
        /// Instances per module, by name; 1 when absent.
        public var replicas: [String: Int]
        /// Every module's settings.
        public var settings: ModuleSettings
        /// The secret tokens are signed with.
        public var signingSecret: [UInt8]
        /// The version instances register with.
        public var version: String

        /// Creates a configuration.
        public init(
            dataDirectory: String?,
            durableCommits: Bool = false,
            replicas: [String: Int] = [:],
            settings: ModuleSettings = ModuleSettings(),
            signingSecret: [UInt8],
            version: String
        ) {
            self.dataDirectory = dataDirectory
            self.durableCommits = durableCommits
            self.replicas = replicas
            self.settings = settings
            self.signingSecret = signingSecret
            self.version = version
        }
    }

    /// One module as wired.
    public struct WiredModule: Sendable {
        /// Its description.
        public let module: Module
        /// What it was built with.
        public let context: ModuleContext
        /// What it built.
        public let parts: ModuleParts
        /// Its outbox's relay; `nil` for a module that publishes nothing.
        public let relay: OutboxRelay?
        /// Its registered instances.
        public let instances: [InstanceID]
        /// Its database.
        public var database: Database { context.database }
    }

    /// The modules, in the order given.
    public let modules: [WiredModule]
    /// The services to run, in start order: relays, instance heartbeats, then each module's own services.
    public let services: [any Service]
    private let registry: ServiceRegistry

    /// Wires `modules`: opens and migrates their databases, builds them, registers their instances and
    /// subscriptions. Nothing runs until ``services`` do.
    /// - Throws: ``ModuleHostError`` naming the module and what is wrong.
    public init(
        modules definitions: [Module],
        configuration: Configuration,
        registry: ServiceRegistry,
        client: ServiceClient,
        bus: any MessageBus,
        metrics: MetricsRegistry,
        logger: Logger
    ) async throws(ModuleHostError) {
        try Self.check(definitions, configuration)
        var wired: [WiredModule] = []
        var relays: [any Service] = []
        var heartbeats: [any Service] = []
        var moduleServices: [any Service] = []
        do {
            for module in definitions {
                let database = try Self.open(module, configuration)
                do {
                    try module.migrate(database)
                } catch {
                    database.close()
                    throw ModuleHostError(.database(module: module.name, path: database.path), underlying: error)
                }
                var moduleLogger = Logger(label: module.name, handler: logger.handler)
                moduleLogger.logLevel = logger.logLevel
                let context = ModuleContext(
                    name: module.name,
                    database: database,
                    client: client,
                    settings: configuration.settings.section(for: module.name, declared: module.settings),
                    dataDirectory: configuration.dataDirectory,
                    signingSecret: configuration.signingSecret,
                    metrics: metrics,
                    logger: moduleLogger
                )
                let parts: ModuleParts
                do {
                    parts = try await module.build(context)
                } catch let error as ModuleSettingError {
                    database.close()
                    throw ModuleHostError(.settings, underlying: error)
                }
                let readiness = parts.readiness ?? { _ = try await database.read { try $0.scalar(Int.self, "SELECT 1") } }
                var instances: [InstanceID] = []
                for index in 1...(configuration.replicas[module.name] ?? 1) {
                    let id = InstanceID(rawValue: "\(module.name)-\(index)")
                    registry.register(
                        ServiceInstance(service: module.name, id: id, version: configuration.version, address: .inProcess(parts.handlers))
                    )
                    heartbeats.append(InstanceHeartbeat(instance: id, registry: registry, interval: registry.heartbeatTimeout / 4, check: readiness))
                    // Each instance is a member of the module's consumer group: they share its events.
                    parts.subscription?.subscribe(as: module.name, on: bus, deadLetters: context.deadLetters)
                    instances.append(id)
                }
                var relay: OutboxRelay?
                if !module.publishes.isEmpty {
                    relay = OutboxRelay(outbox: context.outbox, bus: bus, publishes: module.publishes, metrics: metrics)
                    relays.append(relay!)
                }
                moduleServices += parts.services
                wired.append(WiredModule(module: module, context: context, parts: parts, relay: relay, instances: instances))
            }
        } catch let error as ModuleHostError {
            for module in wired { module.database.close() }
            throw error
        } catch {
            for module in wired { module.database.close() }
            throw ModuleHostError(.build(module: definitions[wired.count].name), underlying: error)
        }
        self.modules = wired
        self.services = relays + heartbeats + moduleServices
        self.registry = registry
    }

    private static func check(_ modules: [Module], _ configuration: Configuration) throws(ModuleHostError) {
        var seen: Set<String> = []
        for module in modules where !seen.insert(module.name).inserted {
            throw ModuleHostError(.invalidConfiguration("two modules are named \(module.name)"))
        }
        let unknownReplicas = configuration.replicas.keys.filter { !seen.contains($0) }.sorted()
        if !unknownReplicas.isEmpty {
            throw ModuleHostError(
                .invalidConfiguration(
                    "replicas: unknown service \(unknownReplicas.joined(separator: ", ")); services: \(seen.sorted().joined(separator: ", "))"
                )
            )
        }
        if let bad = configuration.replicas.first(where: { $0.value < 1 }) {
            throw ModuleHostError(.invalidConfiguration("replicas of \(bad.key) must be at least 1"))
        }
        let declared = Set(modules.flatMap { module in module.settings.map { "\(module.name).\($0.name)" } })
        let unknownSettings = configuration.settings.values.keys.filter { !declared.contains($0) }.sorted()
        if !unknownSettings.isEmpty {
            throw ModuleHostError(
                .invalidConfiguration(
                    "unknown setting \(unknownSettings.joined(separator: ", ")); settings: \(declared.sorted().joined(separator: ", "))"
                )
            )
        }
    }

    private static func open(_ module: Module, _ configuration: Configuration) throws(ModuleHostError) -> Database {
        let path = configuration.dataDirectory.map { "\($0)/\(module.name).sqlite" }
        do {
            let databaseConfiguration = Database.Configuration(synchronous: configuration.durableCommits ? .full : .normal)
            guard let path else { return try Database.inMemory(configuration: databaseConfiguration) }
            return try Database(path: path, configuration: databaseConfiguration)
        } catch {
            throw ModuleHostError(.database(module: module.name, path: path ?? ":memory:"), underlying: error)
        }
    }

    /// Runs every module's first-start work, in order.
    /// - Parameter tracer: When given, each module's step is one trace, `seed <module>`, which the events it
    ///   writes (and their handling) join.
    /// - Returns: What the modules have to tell the operator.
    /// - Throws: ``ModuleHostError`` (`seed`) naming the module.
    public func seed(tracer: Tracer? = nil) async throws(ModuleHostError) -> [String] {
        var notes: [String] = []
        for module in modules {
            guard let seed = module.parts.seed else { continue }
            do {
                if let tracer {
                    notes += try await tracer.withSpan("seed \(module.module.name)") { _ in try await seed() }
                } else {
                    notes += try await seed()
                }
            } catch {
                throw ModuleHostError(.seed(module: module.module.name), underlying: error)
            }
        }
        // A long first start (a large seed on a busy machine) must not leave the instances looking silent to the
        // registry before their heartbeats begin: they were registered before it, and are well.
        for module in modules {
            for instance in module.instances { registry.heartbeat(instance) }
        }
        return notes
    }

    /// Each outbox's progress, per consumer group: how far each group has handled its events.
    /// - Throws: ``StorageError``.
    public func outboxProgress() async throws -> [(module: String, groups: [OutboxRelay.GroupProgress])] {
        var result: [(String, [OutboxRelay.GroupProgress])] = []
        for module in modules {
            guard let relay = module.relay else { continue }
            result.append((module.module.name, try await relay.progress()))
        }
        return result
    }

    /// Whether every consumer group has handled (or dead-lettered) every committed event of its types.
    /// - Throws: ``StorageError``.
    public func hasSettled() async throws -> Bool {
        try await outboxProgress().allSatisfy { $0.groups.allSatisfy { $0.pending == 0 } }
    }

    /// Every module's dead-letter store.
    public var deadLetterStores: [any DeadLetterStore] { modules.map(\.context.deadLetters) }

    /// Copies every module's database into `directory` with SQLite's online backup (consistent, while serving).
    /// - Returns: The files written, one per module.
    /// - Throws: ``StorageError`` when a copy fails.
    public func backup(to directory: String) async throws -> [String] {
        var written: [String] = []
        for module in modules {
            let destination = "\(directory)/\(module.module.name).sqlite"
            let database = module.database
            try await Task.detached { try database.backup(to: destination) }.value
            written.append(destination)
        }
        return written
    }

    /// Closes every database; call once the services have stopped.
    public func close() {
        for module in modules { module.database.close() }
    }

    /// The modules as wired: database, instances, endpoints, events and settings.
    public func descriptions(registry: ServiceRegistry) -> [ModuleDescription] {
        let entries = registry.entries
        return modules.map { wired in
            ModuleDescription(
                name: wired.module.name,
                database: wired.database.path,
                instances: entries.filter { $0.instance.service == wired.module.name }.map { "\($0.instance.id)" },
                endpoints: wired.parts.handlers.endpointNames,
                publishes: wired.module.publishes,
                consumes: wired.parts.subscription?.eventTypes ?? [],
                settings: wired.module.settings.map { "\(wired.module.name).\($0.name)" }
            )
        }
    }
}

/// A module as wired, for `emporium services` and the dashboard.
public struct ModuleDescription: Sendable, Hashable, Codable {
    /// The service name (`catalog`).
    public var name: String
    /// Its database file (`:memory:` when in memory).
    public var database: String
    /// Its registered instances.
    public var instances: [String]
    /// The endpoints it answers.
    public var endpoints: [String]
    /// The event types it publishes through its outbox.
    public var publishes: [String]
    /// The event types its consumer group takes.
    public var consumes: [String]
    /// Its settings' keys.
    public var settings: [String]

    /// Creates a description.
    public init(
        name: String,
        database: String,
        instances: [String],
        endpoints: [String],
        publishes: [String],
        consumes: [String],
        settings: [String]
    ) {
        self.name = name
        self.database = database
        self.instances = instances
        self.endpoints = endpoints
        self.publishes = publishes
        self.consumes = consumes
        self.settings = settings
    }
}

/// Why modules could not be wired.
public struct ModuleHostError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// A module's database could not be opened or migrated.
        case database(module: String, path: String)
        /// A setting's value is not usable.
        case settings
        /// A module failed to build.
        case build(module: String)
        /// A module's first-start work failed.
        case seed(module: String)
        /// The configuration names something that does not exist, or a value is out of range.
        case invalidConfiguration(String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The error underneath, if any.
    public let underlying: (any Error)?

    /// Creates an error.
    public init(_ kind: Kind, underlying: (any Error)? = nil) {
        self.kind = kind
        self.underlying = underlying
    }

    public var description: String {
        let cause = underlying.map { "\($0)" } ?? ""
        switch kind {
        case .database(let module, let path): return "\(path): the \(module) database cannot be opened: \(cause)"
        case .settings: return cause
        case .build(let module): return "the \(module) module failed to start: \(cause)"
        case .seed(let module): return "the \(module) module's first-start step failed: \(cause)"
        case .invalidConfiguration(let message): return message
        }
    }
}
