public import Messaging
public import ServiceKit
public import Storage
public import Telemetry

/// What a module is built with: its own database and messaging tables, the call pipeline to reach other
/// modules through their `…API` clients, its settings, and the system's observability.
public struct ModuleContext: Sendable {
    /// The module's name.
    public let name: String
    /// Its database, migrated.
    public let database: Database
    /// Its outbox: events written here in the same transaction as a state change are published by the wiring's
    /// relay.
    public let outbox: Outbox
    /// Its inbox, recording the events its consumer group handled.
    public let inbox: Inbox
    /// Its dead letters, in its own database.
    public let deadLetters: SQLiteDeadLetterStore
    /// The call pipeline: `CatalogClient(client: context.client)` reaches the catalog.
    public let client: ServiceClient
    /// Its configuration section.
    public let settings: ModuleSettings.Section
    /// The data directory, `nil` when every database is in memory; for files a module keeps beside its
    /// database (a generated password).
    public let dataDirectory: String?
    /// The secret tokens are signed with, shared with the gateway that checks them.
    public let signingSecret: [UInt8]
    /// Where its metrics go.
    public let metrics: MetricsRegistry
    /// Its logger, labelled with its name.
    public let logger: Logger
    /// The source `/emporium/<name>` of its events.
    public var eventSource: String { "/emporium/\(name)" }

    /// Creates a context; the wiring (``ModuleHost``) and test harnesses do.
    public init(
        name: String,
        database: Database,
        client: ServiceClient,
        settings: ModuleSettings.Section,
        dataDirectory: String?,
        signingSecret: [UInt8],
        metrics: MetricsRegistry,
        logger: Logger
    ) {
        self.name = name
        self.database = database
        self.outbox = Outbox(database: database, name: name)
        self.inbox = Inbox(database: database, consumer: name)
        self.deadLetters = SQLiteDeadLetterStore(database: database)
        self.client = client
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.signingSecret = signingSecret
        self.metrics = metrics
        self.logger = logger
    }
}
