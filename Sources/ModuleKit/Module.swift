public import Messaging
public import ServiceKit
public import Storage

/// One capability as the platform wires it: everything the composition root, the CLI and the operations views
/// need to know of a module, in one value.
///
/// A capability's implementation target exposes one, built from data and one function; nothing runs until the
/// wiring (``ModuleHost``) opens the module's database, applies its ``migrations``, and calls ``build``:
///
/// ```swift
/// extension Module {
///     public static let catalog = Module(
///         name: "catalog",
///         migrations: CatalogSchema.migrator,
///         publishes: CatalogEvents.published,
///         settings: [ModuleSetting("seed", help: "the catalog document imported into an empty catalog")]
///     ) { context in
///         let service = SQLiteCatalogService(database: context.database, outbox: context.outbox)
///         var handlers = EndpointHandlers()
///         handlers.registerCatalog(service)
///         return ModuleParts(handlers: handlers, seed: { try await service.seedIfEmpty(context.settings.url("seed")) })
///     }
/// }
/// ```
public struct Module: Sendable {
    /// The service name: its instances, endpoints (`catalog.product`), database file (`catalog.sqlite`),
    /// consumer group, outbox and settings section all carry it.
    public let name: String
    /// The module's own schema, applied in order by the wiring before ``build`` (the messaging tables are added
    /// by the wiring, on their own track).
    public let migrations: Migrator
    /// The event types the module writes to its outbox.
    public let publishes: [String]
    /// The settings of its configuration section (`<name>.<setting>`), with their defaults.
    public let settings: [ModuleSetting]
    /// Builds the module's parts over its migrated database; it must do nothing else (no writes, no tasks):
    /// first-start work belongs in ``ModuleParts/seed``, long-running work in ``ModuleParts/services``.
    public let build: @Sendable (ModuleContext) async throws -> ModuleParts

    /// Describes a module.
    /// - Parameters:
    ///   - name: The service name, lower-case letters and dashes.
    ///   - migrations: Its schema.
    ///   - publishes: The event types it publishes.
    ///   - settings: Its configuration section.
    ///   - build: Builds its parts.
    public init(
        name: String,
        migrations: Migrator,
        publishes: [String] = [],
        settings: [ModuleSetting] = [],
        build: @escaping @Sendable (ModuleContext) async throws -> ModuleParts
    ) {
        precondition(
            !name.isEmpty && name.utf8.allSatisfy { (97...122).contains($0) || $0 == 45 },
            "module name '\(name)' must be lower-case letters and dashes"
        )
        self.name = name
        self.migrations = migrations
        self.publishes = publishes
        self.settings = settings
        self.build = build
    }
}

extension Module {
    /// Brings `database` to this module's schema: the messaging tables (their own track), then its migrations.
    /// - Returns: The ids of the migrations applied now.
    /// - Throws: ``Storage/StorageError`` when the database's history does not fit this build, or a migration
    ///   fails.
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
        migrator.append(contentsOf: migrations)
        return try migrator.migrate(database)
    }
}

/// What a module's ``Module/build`` returns: the parts the wiring connects.
public struct ModuleParts: Sendable {
    /// The endpoint handlers each of its instances answers with.
    public var handlers: EndpointHandlers
    /// Its consumer group's handlers, subscribed under the module's name; its dead letters go to the module's
    /// own `dead_letters` table.
    public var subscription: EventSubscription?
    /// Long-running work (a reservation sweeper, a saga recovery loop), run for the life of the system and
    /// stopped in reverse order.
    public var services: [any Service]
    /// First-start work, run at every start after migrations and before serving, doing nothing once done
    /// (importing a seed catalog into an empty catalog, creating the first administrator). Returns lines for
    /// the operator, such as a generated password.
    public var seed: (@Sendable () async throws -> [String])?
    /// Whether an instance can serve; throwing takes the instance out of rotation until it passes again. A
    /// `SELECT 1` on the module's database when `nil`.
    public var readiness: (@Sendable () async throws -> Void)?

    /// Creates the parts.
    public init(
        handlers: EndpointHandlers,
        subscription: EventSubscription? = nil,
        services: [any Service] = [],
        seed: (@Sendable () async throws -> [String])? = nil,
        readiness: (@Sendable () async throws -> Void)? = nil
    ) {
        self.handlers = handlers
        self.subscription = subscription
        self.services = services
        self.seed = seed
        self.readiness = readiness
    }
}
