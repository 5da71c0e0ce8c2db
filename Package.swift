// swift-tools-version:6.1
import PackageDescription

/// The capabilities, each a `XAPI` + `X` pair with its own SQLite file, and a `XTests` target running it alone.
/// Adding one is one line here (and an import and a line in `Emporium.capabilities`): see Docs/architecture.md,
/// "Adding a capability".
///
/// `uses` names the other capabilities whose APIs the implementation calls or whose events it takes; `names` those
/// whose types the API itself names (a subset of `uses`: Warehouse's shipments name Inventory's `WarehouseID`), so
/// that two capabilities may each listen to the other without their APIs depending on each other; `needs` adds
/// platform targets.
let capabilities: [(name: String, uses: [String], names: [String], needs: [Target.Dependency])] = [
    ("Catalog", [], [], []),
    ("Search", ["Catalog", "Inventory"], ["Inventory"], []),
    ("Identity", [], [], ["Security"]),
    ("Inventory", ["Catalog"], [], []),
    ("Warehouse", ["Inventory"], ["Inventory"], ["Telemetry"]),
    ("Payments", ["Identity"], [], ["Security", "Telemetry"]),
    ("Customers", ["Identity", "Payments", "Warehouse", "Orders", "Cart"], [], ["Telemetry"]),
    ("Cart", ["Catalog", "Inventory", "Payments", "Identity"], [], ["Security"]),
    ("Orders", ["Cart", "Customers", "Inventory", "Payments", "Warehouse", "Identity"], ["Cart", "Customers", "Payments", "Warehouse"], ["Telemetry"]),
    ("Recommendations", ["Catalog", "Inventory", "Orders", "Cart", "Identity"], [], ["Telemetry"]),
]

/// A capability's three targets.
/// - `XAPI`: the face: protocol, DTOs, typed error, events, endpoint table, client. Kernel, contracts and the APIs
///   it names types of only.
/// - `X`: the implementation: its module value, schema and handlers, over ModuleKit and Storage.
/// - `XTests`: the module alone, through the module test kit (`Tests/Support`).
func capability(_ name: String, uses: [String], names: [String], needs: [Target.Dependency]) -> [Target] {
    let api = Target.Dependency.target(name: "\(name)API")
    let named = names.map { Target.Dependency.target(name: "\($0)API") }
    let others = uses.map { Target.Dependency.target(name: "\($0)API") }
    let platform: [Target.Dependency] = ["Commerce", "Messaging", "ModuleKit", "ServiceKit", "Storage"]
    return [
        .target(name: "\(name)API", dependencies: ["Commerce", "Messaging", "ServiceKit"] + named),
        .target(name: name, dependencies: [api] + others + platform + needs),
        .testTarget(name: "\(name)Tests", dependencies: [.target(name: name), api] + others + platform + needs + ["TestSupport"]),
    ]
}

let capabilityTargets = capabilities.flatMap { capability($0.name, uses: $0.uses, names: $0.names, needs: $0.needs) }
let capabilityAPIs = capabilities.map { Target.Dependency.target(name: "\($0.name)API") }
let capabilityImplementations = capabilities.map { Target.Dependency.target(name: $0.name) }

let package = Package(
    name: "Emporium",
    products: [
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "Messaging", targets: ["Messaging"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "Security", targets: ["Security"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "Emporium", targets: ["Emporium"]),
        .executable(name: "emporium", targets: ["EmporiumCLI"]),
        .executable(name: "emporium-bench", targets: ["Benchmarks"]),
        .executable(name: "emporium-test-helper", targets: ["TestHelper"]),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Linux interfaces Swift's Glibc module leaves out (epoll, eventfd, accept4); headers only.
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "CCrypt",
            pkgConfig: "libxcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),

        // MARK: - Platform
        .target(name: "Storage", dependencies: ["CSQLite"]),
        .target(name: "Telemetry"),
        .target(name: "Messaging", dependencies: ["Storage", "Telemetry", "ServiceKit", "Security"]),
        .target(name: "ServiceKit", dependencies: ["Telemetry"]),
        .target(name: "Security", dependencies: ["CCrypt"]),
        .target(name: "HTTP", dependencies: ["Telemetry", .target(name: "CLinux", condition: .when(platforms: [.linux]))]),
        .target(name: "Gateway", dependencies: ["HTTP", "ServiceKit", "Messaging", "Security", "Telemetry"]),
        // The module contract and its one wiring loop, shared by the composition root and module tests.
        .target(name: "ModuleKit", dependencies: ["Storage", "Messaging", "ServiceKit", "Telemetry"]),

        // MARK: - Kernel
        // The shop's shared values: Money, ProductID, CustomerID, Quantity. Every capability API may import it; it
        // imports no capability.
        .target(name: "Commerce", dependencies: ["ServiceKit"]),
    ]
        // MARK: - Capabilities
        + capabilityTargets + [
            // MARK: - App
            // The web store and the operations dashboard: plain HTML, CSS and JavaScript as resources.
            .target(name: "StoreFront", resources: [.copy("Web")]),
            // The composition root: the only target that imports capability implementations.
            .target(
                name: "Emporium",
                dependencies: [
                    "Storage", "Telemetry", "Messaging", "ModuleKit", "ServiceKit", "Security", "HTTP", "Gateway", "StoreFront", "Commerce",
                ] + capabilityAPIs + capabilityImplementations
            ),
            .executableTarget(
                name: "EmporiumCLI",
                dependencies: ["Emporium", "Gateway", "ModuleKit", "ServiceKit", "HTTP", "Telemetry"] + capabilityAPIs
            ),
            .executableTarget(
                name: "Benchmarks",
                dependencies: ["CSQLite", "Storage", "Telemetry", "Messaging", "ModuleKit", "ServiceKit", "HTTP", "Commerce", "Emporium"] + capabilityAPIs
                    + capabilityImplementations
            ),
            // The example of Docs/embedding.md; EmporiumTests builds and runs it.
            .executableTarget(name: "EmbeddingExample", dependencies: ["Emporium", "ModuleKit", "ServiceKit", "Telemetry"] + capabilityAPIs),
            // Child processes for crash tests: killed with SIGKILL mid-stream by the test suites.
            .executableTarget(name: "TestHelper", dependencies: ["Storage", "Messaging"]),

            // MARK: - Tests
            // Shared test utilities (temporary directories, child processes, waiting on conditions with deadlines) and
            // the module test kit: a harness running one module alone through the real wiring, and mocks of every API.
            .target(
                name: "TestSupport",
                dependencies: ["ModuleKit", "Messaging", "ServiceKit", "Storage", "Telemetry", "Commerce"] + capabilityAPIs,
                path: "Tests/Support"
            ),
            .testTarget(name: "StorageTests", dependencies: ["Storage", "TestHelper", "TestSupport"]),
            .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "TestSupport"]),
            .testTarget(name: "MessagingTests", dependencies: ["Messaging", "ServiceKit", "Storage", "TestHelper", "TestSupport"]),
            .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Telemetry", "TestSupport"]),
            .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
            .testTarget(name: "SecurityTests", dependencies: ["Security", "TestSupport"]),
            // The module contract, with modules written only as `Module` values; the kit's mocks through a real module.
            .testTarget(
                name: "ModuleKitTests",
                dependencies: ["ModuleKit", "Messaging", "ServiceKit", "Storage", "Telemetry", "TestSupport", "CatalogAPI", "Commerce"]
            ),
            .testTarget(name: "CommerceTests", dependencies: ["Commerce", "ServiceKit"]),
            // The blueprint's dependency rules, checked against the imports of every target's sources.
            .testTarget(name: "ArchitectureTests"),
            // End to end: the real Emporium on an ephemeral port, spoken to over HTTP; the binary in a real browser.
            .testTarget(
                name: "EmporiumTests",
                dependencies: [
                    "Emporium", "Commerce", "Gateway", "HTTP", "Messaging", "ModuleKit", "Security", "ServiceKit", "Storage", "Telemetry",
                    "TestSupport", "EmporiumCLI", "EmbeddingExample",
                ] + capabilityAPIs
            ),
            .testTarget(
                name: "GatewayTests",
                dependencies: ["Gateway", "HTTP", "ServiceKit", "Messaging", "Security", "Storage", "Telemetry", "TestSupport"]
            ),
        ]
)

// Shared settings for every Swift target (system-library targets take none).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ])
    target.swiftSettings = settings
}
