// swift-tools-version:6.1
import PackageDescription

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

        // MARK: - Kernel
        // The shop's shared values: Money, ProductID, CustomerID, Quantity. Every capability API may import it; it
        // imports no capability.
        .target(name: "Commerce", dependencies: ["ServiceKit"]),

        // MARK: - Capabilities
        .target(name: "CatalogAPI", dependencies: ["Commerce", "Messaging", "ServiceKit"]),
        .target(name: "Catalog", dependencies: ["CatalogAPI", "Commerce", "Messaging", "ServiceKit", "Storage"]),
        .target(name: "IdentityAPI", dependencies: ["Messaging", "ServiceKit"]),
        .target(name: "Identity", dependencies: ["IdentityAPI", "Messaging", "Security", "ServiceKit", "Storage"]),
        .target(name: "SearchAPI", dependencies: ["Commerce", "ServiceKit"]),
        .target(name: "Search", dependencies: ["SearchAPI", "CatalogAPI", "Commerce", "Messaging", "ServiceKit", "Storage"]),

        // MARK: - App
        // The web store and the operations dashboard: plain HTML, CSS and JavaScript as resources.
        .target(name: "StoreFront", resources: [.copy("Web")]),
        // The composition root: the only target that imports capability implementations.
        .target(
            name: "Emporium",
            dependencies: [
                "Storage", "Telemetry", "Messaging", "ServiceKit", "Security", "HTTP", "Gateway", "StoreFront",
                "Commerce", "CatalogAPI", "Catalog", "SearchAPI", "Search", "IdentityAPI", "Identity",
            ]
        ),
        .executableTarget(
            name: "EmporiumCLI",
            dependencies: ["Emporium", "CatalogAPI", "SearchAPI", "IdentityAPI", "Gateway", "ServiceKit", "HTTP", "Telemetry"]
        ),
        .executableTarget(name: "Benchmarks", dependencies: ["CSQLite", "Storage", "Telemetry", "Messaging", "ServiceKit", "HTTP", "Commerce", "CatalogAPI", "SearchAPI", "Search", "IdentityAPI", "Identity"]),
        // The example of Docs/embedding.md; EmporiumTests builds and runs it.
        .executableTarget(name: "EmbeddingExample", dependencies: ["Emporium", "CatalogAPI", "IdentityAPI", "SearchAPI", "ServiceKit", "Telemetry"]),
        // Child processes for crash tests: killed with SIGKILL mid-stream by the test suites.
        .executableTarget(name: "TestHelper", dependencies: ["Storage", "Messaging"]),

        // MARK: - Tests
        // Shared test utilities: temporary directories, child processes, waiting on conditions with deadlines.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestHelper", "TestSupport"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "ServiceKit", "Storage", "TestHelper", "TestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Telemetry", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "SecurityTests", dependencies: ["Security"]),
        .testTarget(name: "CommerceTests", dependencies: ["Commerce", "ServiceKit"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "CatalogAPI", "Commerce", "Messaging", "ServiceKit", "Storage", "TestSupport"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "IdentityAPI", "Security", "ServiceKit", "Storage", "TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "SearchAPI", "CatalogAPI", "Commerce", "Messaging", "ServiceKit", "Storage", "TestSupport"]),
        // The blueprint's dependency rules, checked against the imports of every target's sources.
        .testTarget(name: "ArchitectureTests"),
        // End to end: the real Emporium on an ephemeral port, spoken to over HTTP; the binary in a real browser.
        .testTarget(
            name: "EmporiumTests",
            dependencies: [
                "Emporium", "Commerce", "CatalogAPI", "SearchAPI", "IdentityAPI", "Gateway", "HTTP", "Messaging", "ServiceKit", "Storage", "Telemetry",
                "TestSupport", "EmporiumCLI", "EmbeddingExample",
            ]
        ),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "HTTP", "ServiceKit", "Messaging", "Security", "Storage", "Telemetry", "TestSupport"]),
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
