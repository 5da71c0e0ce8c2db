import CatalogAPI
import Commerce
import Foundation
import Messaging
import ModuleKit
import ServiceKit
import Storage
import Synchronization
import Telemetry
import TestSupport
import Testing

// Two capabilities added only through the module contract, as Docs/architecture.md's "Adding a capability"
// describes: an API (endpoints, DTOs, an event), and a `Module` value each. Nothing else is written for them.

private struct NoteDraft: Codable, Sendable, Hashable {
    var text: String
}

private struct Note: Codable, Sendable, Hashable {
    var id: Int
    var text: String
}

private struct NoteAdded: DomainEvent, Hashable {
    static let eventType = "notes.note-added.v1"
    var note: Note
}

private enum NotesError: ServiceFailure {
    case empty

    var problemType: String { "empty-note" }
    var detail: String { "A note needs some text." }
}

private enum NotesEndpoints {
    static let add = Endpoint<NoteDraft, Note>("notes.add", failure: NotesError.self)
    static let count = Endpoint<NoInput, Int>("digest.count", idempotent: true, failure: NotesError.self)
}

/// Background work a module declares: marks that it started, then waits for nothing until stopped.
private final class Ticker: Service {
    let name = "notes.ticker"
    let started = Atomic<Bool>(false)
    let stopped = Atomic<Bool>(false)
    /// A stream nothing is ever sent on: iterating it ends only when the task is cancelled.
    private let (never, continuation) = AsyncStream<Void>.makeStream()

    func run() async throws {
        started.store(true, ordering: .relaxed)
        for await _ in never {}
        stopped.store(true, ordering: .relaxed)
    }
}

private let ticker = Ticker()

extension Module {
    /// Notes: adds notes to its table, each with its event in the outbox.
    fileprivate static let notes = Module(
        name: "notes",
        migrations: {
            var migrator = Migrator()
            migrator.add("notes-1", sql: "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            return migrator
        }(),
        publishes: [NoteAdded.eventType],
        settings: [ModuleSetting("greeting", default: "hello", help: "the first note, written on first start")]
    ) { context in
        let database = context.database
        let outbox = context.outbox
        let source = context.eventSource
        @Sendable func add(_ draft: NoteDraft) async throws -> Note {
            guard !draft.text.isEmpty else { throw NotesError.empty }
            return try await database.write { connection in
                try connection.execute("INSERT INTO note (text) VALUES (?)", [draft.text])
                let note = Note(id: Int(connection.lastInsertRowID), text: draft.text)
                try outbox.enqueue(try Envelope(NoteAdded(note: note), source: source, subject: "note-\(note.id)"), in: connection)
                return note
            }
        }
        var handlers = EndpointHandlers()
        handlers.register(NotesEndpoints.add, add)
        let greeting = context.settings.string("greeting") ?? ""
        return ModuleParts(
            handlers: handlers,
            services: [ticker],
            seed: {
                let count = try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM note") } ?? 0
                guard count == 0 else { return [] }
                _ = try await add(NoteDraft(text: greeting))
                return ["wrote the first note"]
            }
        )
    }

    /// Digest: counts the notes it hears of, through its inbox; a note reading "poison" cannot be digested.
    fileprivate static let digest = Module(
        name: "digest",
        migrations: {
            var migrator = Migrator()
            migrator.add("digest-1", sql: "CREATE TABLE seen (note_id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            return migrator
        }()
    ) { context in
        var events = TransactionalEventHandlers()
        events.on(NoteAdded.self) { event, _, connection in
            struct Poison: Error {}
            guard event.note.text != "poison" else { throw Poison() }
            try connection.execute("INSERT INTO seen (note_id, text) VALUES (?, ?)", [event.note.id, event.note.text])
        }
        let database = context.database
        var handlers = EndpointHandlers()
        handlers.register(NotesEndpoints.count) { _ in try await database.read { try $0.scalar(Int.self, "SELECT count(*) FROM seen") } ?? 0 }
        return ModuleParts(
            handlers: handlers,
            subscription: EventSubscription(through: context.inbox, events, retry: DeliveryRetry(maxAttempts: 2, initialBackoff: .milliseconds(1)))
        )
    }
}

@Suite struct ModuleHostTests {
    @Test func aModuleAddedOnlyThroughTheContractIsWiredMigratedSubscribedAndRelayed() async throws {
        let directory = try TemporaryDirectory()
        let registry = ServiceRegistry()
        let metrics = MetricsRegistry()
        let client = ServiceClient(registry: registry, transport: InProcessTransport(mode: .serialized), metrics: metrics)
        let bus = InProcessMessageBus(metrics: metrics)
        let host = try await ModuleHost(
            modules: [.notes, .digest],
            configuration: ModuleHost.Configuration(
                dataDirectory: directory.url.path,
                replicas: ["digest": 2],
                settings: ModuleSettings(["notes.greeting": "first!"]),
                signingSecret: [],
                version: "test"
            ),
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            logger: Logger(label: "test", handler: JSONLinesLogHandler(output: .standardError, logLevel: .critical))
        )
        defer { host.close() }
        #expect(try await host.seed() == ["wrote the first note"])

        // Each module has its own file, migrated on two tracks: the messaging tables and its own.
        let applied = try Migrator().appliedMigrationIDs(in: host.modules[0].database)
        #expect(applied.contains("messaging-2-outbox-cursors") && applied.contains("notes-1"))
        #expect(FileManager.default.fileExists(atPath: directory.path("digest.sqlite")))
        // Instances, endpoints, events and settings as wired.
        #expect(
            host.descriptions(registry: registry) == [
                ModuleDescription(
                    name: "notes",
                    database: directory.path("notes.sqlite"),
                    instances: ["notes-1"],
                    endpoints: ["notes.add"],
                    publishes: [NoteAdded.eventType],
                    consumes: [],
                    settings: ["notes.greeting"]
                ),
                ModuleDescription(
                    name: "digest",
                    database: directory.path("digest.sqlite"),
                    instances: ["digest-1", "digest-2"],
                    endpoints: ["digest.count"],
                    publishes: [],
                    consumes: [NoteAdded.eventType],
                    settings: []
                ),
            ]
        )
        #expect(bus.bindings.map(\.members) == [2], "each digest instance is a member of its one group")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in [bus] + host.services { group.addTask { try await service.run() } }
            try await waitUntil("the module's own service runs") { ticker.started.load(ordering: .relaxed) }
            for text in ["second", "poison", "third"] { _ = try await client.call(NotesEndpoints.add, NoteDraft(text: text)) }
            await #expect(throws: NotesError.empty) { try await client.call(NotesEndpoints.add, NoteDraft(text: "")) }
            try await waitUntil("digest has handled every note") { try await host.hasSettled() }
            #expect(try await client.call(NotesEndpoints.count, NoInput()) == 3)
            // The poisoned event is in digest's own dead-letter table.
            let letters = try await host.modules[1].context.deadLetters.list(limit: 5)
            #expect(letters.map(\.group) == ["digest"])
            #expect(host.deadLetterStores.count == 2)
            let progress = try await host.outboxProgress()
            #expect(progress.map(\.module) == ["notes"])
            #expect(progress.first?.groups.map(\.group) == ["digest"])
            #expect(progress.first?.groups.first?.handledThrough == 4)
            group.cancelAll()
        }
        let stopped = ticker.stopped.load(ordering: .relaxed)
        #expect(stopped, "the module's own service is stopped with the rest")
        let backup = try TemporaryDirectory()
        #expect(try await host.backup(to: backup.url.path) == [backup.path("notes.sqlite"), backup.path("digest.sqlite")])
    }

    @Test func wiringRefusesWhatNoModuleDeclares() async throws {
        func wire(_ configuration: ModuleHost.Configuration) async throws {
            let registry = ServiceRegistry()
            let host = try await ModuleHost(
                modules: [.digest],
                configuration: configuration,
                registry: registry,
                client: ServiceClient(registry: registry, transport: InProcessTransport(mode: .direct)),
                bus: InProcessMessageBus(),
                metrics: MetricsRegistry(),
                logger: Logger(label: "test", handler: JSONLinesLogHandler(output: .standardError, logLevel: .critical))
            )
            host.close()
        }
        await #expect {
            try await wire(ModuleHost.Configuration(dataDirectory: nil, replicas: ["digets": 2], signingSecret: [], version: "test"))
        } throws: { "\($0)" == "replicas: unknown service digets; services: digest" }
        await #expect {
            try await wire(
                ModuleHost.Configuration(dataDirectory: nil, settings: ModuleSettings(["digest.size": "2"]), signingSecret: [], version: "test")
            )
        } throws: { "\($0)".hasPrefix("unknown setting digest.size") }
        await #expect {
            try await wire(ModuleHost.Configuration(dataDirectory: nil, replicas: ["digest": 0], signingSecret: [], version: "test"))
        } throws: { "\($0)" == "replicas of digest must be at least 1" }
    }

    @Test func settingsAreReadWithTheirDefaultsAndCheckedWithSentences() throws {
        let declared = [ModuleSetting("ttl", default: "900", help: "seconds"), ModuleSetting("cost", default: "5", help: "cost")]
        let settings = ModuleSettings(["inventory.ttl": "1.5", "inventory.cost": "12", "other.cost": "1"])
        let section = settings.section(for: "inventory", declared: declared)
        #expect(try section.seconds("ttl") == .milliseconds(1500))
        #expect(section.string("cost") == "12")
        #expect(throws: ModuleSettingError(key: "inventory.cost", message: "inventory.cost must be a whole number from 1 to 11, not '12'")) {
            try section.integer("cost", in: 1...11)
        }
        let defaults = ModuleSettings().section(for: "inventory", declared: declared)
        #expect(try defaults.seconds("ttl") == .seconds(900))
        #expect(try defaults.integer("cost", in: 1...11) == 5)
    }
}

/// The kit's mocks report an unexpected call as a test issue even when it happens inside an event handler, where
/// the thrown error alone would only be retried and dead-lettered, unseen by the test.
@Suite struct ModuleHarnessTests {
    private struct Ping: DomainEvent {
        static let eventType = "pinger.pinged.v1"
        var product: String
    }

    /// Looks up the product each ping names: a call to the catalog from an event handler.
    private static let pinger = Module(name: "pinger", migrations: Migrator()) { context in
        let catalog = CatalogClient(client: context.client)
        var events = EventHandlers()
        events.on(Ping.self) { ping, _ in _ = try await catalog.product(ProductID(rawValue: ping.product)) }
        return ModuleParts(
            handlers: EndpointHandlers(),
            subscription: EventSubscription(events, retry: DeliveryRetry(maxAttempts: 1))
        )
    }

    @Test func anUnexpectedCallFromAnEventHandlerIsATestIssue() async throws {
        // The harness runs the bus inside the test's task, so the handler's issue is the test's: here a known one.
        let deadLetters = Mutex(0)
        try await withKnownIssue {
            try await ModuleHarness.run(Self.pinger, mocks: [MockCatalog().service]) { harness in
                try await harness.publish([try Envelope(Ping(product: "p-1"), source: "/tests", subject: "p-1")])
                // The handler's failure went where it goes in production: the module's own dead letters.
                let letters = try await harness.module.context.deadLetters.list(limit: 5).count
                deadLetters.withLock { $0 = letters }
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("CatalogService.product was called, but the test did not expect it") }
        }
        #expect(deadLetters.withLock { $0 } == 1)
    }
}
