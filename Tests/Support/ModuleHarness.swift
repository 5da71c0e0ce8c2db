import Foundation
public import Messaging
public import ModuleKit
public import ServiceKit
public import Storage
public import Telemetry
import Testing

/// Runs one module alone, the way the composition root runs it: the same wiring loop (``ModuleKit/ModuleHost``)
/// on a temporary data directory, calls through the serialized transport (every request, reply and error must
/// survive JSON), a running bus and outbox relays. The APIs it calls are answered by mocks that record a test
/// issue when called unexpectedly.
///
/// ```swift
/// var catalog = MockCatalog()
/// catalog.onProducts = { _ in ProductPage(products: [lamp], nextCursor: nil) }
/// try await ModuleHarness.run(.search, mocks: [catalog.service]) { harness in
///     try await harness.publish([created(lamp)])
///     let search = SearchClient(client: harness.client)
///     #expect(try await search.search(SearchQuery(text: "lamp")).total == 1)
/// }
/// ```
public final class ModuleHarness: Sendable {
    /// The data directory, removed when the harness is released.
    public let directory: TemporaryDirectory
    /// The call pipeline: build the module's `…API` client over it.
    public let client: ServiceClient
    /// Where instances are registered.
    public let registry: ServiceRegistry
    /// The bus.
    public let bus: InProcessMessageBus
    /// The module as wired.
    public let host: ModuleHost
    /// Its metrics.
    public let metrics: MetricsRegistry
    /// What its first-start step said.
    public let notes: [String]

    /// The module's database.
    public var database: Database { host.modules[0].database }
    /// The module's wiring: context (outbox, inbox, dead letters) and parts.
    public var module: ModuleHost.WiredModule { host.modules[0] }

    private init(
        directory: TemporaryDirectory,
        client: ServiceClient,
        registry: ServiceRegistry,
        bus: InProcessMessageBus,
        host: ModuleHost,
        metrics: MetricsRegistry,
        notes: [String]
    ) {
        self.directory = directory
        self.client = client
        self.registry = registry
        self.bus = bus
        self.host = host
        self.metrics = metrics
        self.notes = notes
    }

    /// Wires `module` with `mocks` answering the services it calls, runs its first-start step, runs it (bus,
    /// relays, heartbeats, its own services) while `body` runs, then stops it and closes its database.
    /// - Parameters:
    ///   - module: The module under test.
    ///   - mocks: The other services it may call.
    ///   - settings: Its settings (`<module>.<setting>`).
    ///   - replicas: How many instances it runs.
    ///   - logs: Where every line the module logs goes, at every level (``Telemetry/LogOutput/memory()`` lets the
    ///     test read them); only critical lines, to standard error, when `nil`.
    ///   - body: The test.
    public static func run<Result: Sendable>(
        _ module: Module,
        mocks: [MockService] = [],
        settings: ModuleSettings = ModuleSettings(),
        replicas: Int = 1,
        logs: LogOutput? = nil,
        _ body: (ModuleHarness) async throws -> Result
    ) async throws -> Result {
        let directory = try TemporaryDirectory()
        let metrics = MetricsRegistry()
        let registry = ServiceRegistry()
        let client = ServiceClient(registry: registry, transport: InProcessTransport(mode: .serialized), metrics: metrics)
        let bus = InProcessMessageBus(metrics: metrics)
        for mock in mocks {
            registry.register(
                ServiceInstance(
                    service: mock.name,
                    id: InstanceID(rawValue: "\(mock.name)-mock"),
                    version: "mock",
                    address: .inProcess(mock.handlers)
                )
            )
        }
        let host = try await ModuleHost(
            modules: [module],
            configuration: ModuleHost.Configuration(
                dataDirectory: directory.url.path,
                replicas: [module.name: replicas],
                settings: settings,
                signingSecret: Array(repeating: 7, count: 32),
                version: "test"
            ),
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            logger: Logger(
                label: module.name,
                handler: logs.map { JSONLinesLogHandler(output: $0, logLevel: .trace) }
                    ?? JSONLinesLogHandler(output: .standardError, logLevel: .critical)
            )
        )
        defer { host.close() }
        let notes = try await host.seed()
        let harness = ModuleHarness(directory: directory, client: client, registry: registry, bus: bus, host: host, metrics: metrics, notes: notes)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in [bus] + host.services {
                group.addTask { try await service.run() }
            }
            do {
                let result = try await body(harness)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Hands events to every consumer group that takes them (the module's among them) and returns once each
    /// group has handled or dead-lettered every one: as if another module had published them.
    public func publish(_ envelopes: [Envelope]) async throws {
        try await bus.deliver(envelopes)
    }

    /// Waits until every event the module committed has been handled by every group that takes it.
    /// - Throws: ``ConditionTimedOut`` after `timeout`.
    public func waitUntilSettled(timeout: Duration = .seconds(30)) async throws {
        try await waitUntil("the module's events are handled", timeout: timeout) { try await host.hasSettled() }
    }
}

/// A service answered by a mock, for ``ModuleHarness/run(_:mocks:settings:replicas:_:)``.
public struct MockService: Sendable {
    /// The service name (`catalog`).
    public let name: String
    /// The mock's handlers.
    public let handlers: EndpointHandlers

    /// A mock service.
    public init(name: String, handlers: EndpointHandlers) {
        self.name = name
        self.handlers = handlers
    }
}

/// Thrown by a mock's method that the test did not expect to be called, after recording a test issue.
public struct UnexpectedCall: Error, CustomStringConvertible {
    /// The method.
    public let method: String
    public var description: String { "\(method) was called, but the test did not expect it" }
}

/// A mock method that records a test issue, then throws ``UnexpectedCall``: what every method of a mock does
/// until the test sets it (the `testValue` idea of isowords).
public func unexpected<Input, Output>(_ method: String) -> @Sendable (Input) async throws -> Output {
    { _ in
        Issue.record("\(method) was called, but the test did not expect it")
        throw UnexpectedCall(method: method)
    }
}
