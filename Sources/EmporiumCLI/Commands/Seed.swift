import CatalogAPI
import Emporium
import Foundation
import Telemetry

/// `emporium seed`: imports a catalog document into the data directory and feeds search, without serving HTTP.
enum Seed: Command {
    static let name = "seed"
    static let summary = "Import a catalog document (existing SKUs are skipped) and index it for search."
    static let usage = "seed [--data DIR] [--seed FILE]"
    static let discussion = """
        Runs the modules without HTTP until every event the import wrote has been published and handled, so search
        answers for the new products as soon as 'serve' starts. Stop a running 'serve' on the same data first.
        """
    static let examples = ["emporium seed", "emporium seed --data /var/lib/emporium --seed my-catalog.json"]
    static let timeout = Option("timeout", .value(placeholder: "SECONDS"), "How long to wait for search to be fed (default 120).")
    static let options = [Options.data, Options.seed, timeout, Options.logLevel]

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        let seed = try Options.seedCatalog(arguments)
        let deadline =
            try arguments.value(timeout, expected: "a number of seconds (1-3600)") { Int($0).flatMap { (1...3600).contains($0) ? $0 : nil } } ?? 120
        var configuration = EmporiumConfiguration(dataDirectory: Options.dataDirectory(arguments))
        configuration.serveHTTP = false
        configuration.logLevel = try Options.logLevel(arguments, default: .warning)
        let system = try await Emporium.start(configuration)
        do {
            let summary = try await system.importCatalog(from: seed)
            Console.out("imported \(seed.path)")
            Console.out("  categories        \(summary.categories)")
            Console.out("  products added    \(summary.productsAdded)")
            Console.out("  products skipped  \(summary.productsSkipped) (SKU already present)")
            try await system.waitUntilSettled(timeout: .seconds(deadline))
            Console.out("search is up to date")
        } catch {
            await system.stop()
            throw error
        }
        await system.stop()
        return .success
    }
}
