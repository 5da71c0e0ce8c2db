import Emporium
import Foundation
import Gateway
import ModuleKit
import Telemetry

/// `emporium services`: the module graph as wired, read from a system built for the purpose.
enum Services: Command {
    static let name = "services"
    static let summary = "List the modules, their instances, endpoints, published and consumed topics, settings, and the routes."
    static let usage = "services [--data DIR] [--replicas SERVICE=N,...] [--json]"
    static let discussion = """
        Builds the system as 'serve' would (without HTTP, without seeding; in memory unless --data) and prints what
        the wiring registered: nothing here is a hand-kept list.
        """
    static let examples = ["emporium services", "emporium services --json | jq '.modules[].consumes'", "emporium services --replicas catalog=3"]
    static let data = Option("data", .value(placeholder: "DIR"), "Open this data directory (default: in-memory databases).")
    static let json = Option("json", .flag, "Print JSON instead of tables.")
    static let options = [data, Serve.replicas, json]

    struct Report: Encodable {
        struct Route: Encodable {
            var method: String
            var pattern: String
            var access: String
        }
        var version: String
        var modules: [ModuleDescription]
        var routes: [Route]
    }

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        var configuration = EmporiumConfiguration(dataDirectory: arguments.value(data)?.text)
        configuration.serveHTTP = false
        configuration.logLevel = .warning
        configuration.settings["identity.password-cost"] = "1"
        if let replicas = try arguments.value(Serve.replicas, expected: "SERVICE=N[,SERVICE=N...]", Options.replicas) {
            configuration.replicas = replicas
        }
        let system = try await Emporium(configuration: configuration)
        let report = Report(
            version: Emporium.version,
            modules: system.moduleDescriptions,
            routes: system.routes.map { route in
                let line = "\(route)"
                let method = String(line.prefix { $0 != " " })
                return Report.Route(method: method, pattern: String(line.dropFirst(method.count + 1)), access: accessDescription(of: route))
            }
        )
        if arguments.isSet(json) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Console.out(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printTables(report)
        }
        return .success
    }

    private static func printTables(_ report: Report) {
        Console.out("emporium \(report.version): \(report.modules.count) modules, \(report.routes.count) routes")
        for module in report.modules {
            Console.out()
            Console.out(
                "\(module.name)  (\(module.instances.count) instance\(module.instances.count == 1 ? "" : "s"): \(module.instances.joined(separator: ", ")))"
            )
            let rows =
                [["database", module.database]]
                + list("endpoints", module.endpoints) + list("publishes", module.publishes) + list("consumes", module.consumes)
                + list("settings", module.settings)
            for line in Console.table(rows, indent: "  ") { Console.out(line) }
        }
        Console.out()
        Console.out("routes (gateway)")
        for line in Console.table(report.routes.map { [$0.method, $0.pattern, $0.access] }, indent: "  ") { Console.out(line) }
    }

    /// One row per item, the label on the first: an empty list shows as `-`.
    private static func list(_ label: String, _ items: [String]) -> [[String]] {
        guard !items.isEmpty else { return [[label, "-"]] }
        return items.enumerated().map { [$0 == 0 ? label : "", $1] }
    }

    /// `public`, `token optional`, `authenticated` or `role admin`.
    private static func accessDescription(of route: RouteDescription) -> String {
        switch route.access {
        case .public: "public"
        case .optionallyAuthenticated: "token optional"
        case .authenticated(nil): "authenticated"
        case .authenticated(let role?): "role \(role)"
        }
    }
}
