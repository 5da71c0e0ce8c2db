import CatalogAPI
import Emporium
import Foundation
import ModuleKit
import SearchAPI
import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// `emporium demo`: a scripted shopper against a fresh in-process system or a running one.
enum Demo: Command {
    static let name = "demo"
    static let summary = "Walk a scripted shopper through the API and print each step with its trace id."
    static let usage = "demo [--url URL]"
    static let discussion = """
        Without --url the demo starts its own system: a temporary data directory, the fixture catalog, a free port,
        removed afterwards. It waits until search has indexed the catalog, then registers a random shopper, logs in,
        lists categories, browses one, searches for a word of a product's name (in stock), opens a product found,
        reads /api/v1/me, and buys it: into the cart, an address saved, checkout with the card 4242 4242 4242 4242
        (201, confirmed). Then it puts the product in the cart again and pays with 4000 0000 0000 0002, which is
        declined (402 with its decline code; the cart is kept), cancels the confirmed order (the payment voided or
        refunded, as the order shows), refreshes the token and logs out. Exits 0 when every step got its expected
        status, 1 otherwise. Look a trace id up in the dashboard (or GET /admin/traces) of the system you pointed
        --url at.
        """
    static let examples = ["emporium demo", "emporium demo --url http://127.0.0.1:8080"]
    static let url = Option(
        "url",
        .value(placeholder: "URL"),
        environment: "EMPORIUM_URL",
        "A running emporium (http only), e.g. http://127.0.0.1:8080."
    )
    static let timeout = Option("timeout", .value(placeholder: "SECONDS"), "How long the in-process system may take to index (default 120).")
    static let options = [url, timeout, Options.seed, Options.logLevel]

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals([], command: name)
        let deadline =
            try arguments.value(timeout, expected: "a number of seconds (1-3600)") { Int($0).flatMap { (1...3600).contains($0) ? $0 : nil } } ?? 120
        if let (text, source) = arguments.value(url) {
            guard let (host, port) = address(of: text) else {
                throw CLIError(source.exitCode, "\(source): '\(text)' is not an http URL with a host this machine can resolve")
            }
            Console.out("demo against \(text)")
            return try await walk(host: host, port: port)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-demo-\(UUID().uuidString)")
        var configuration = EmporiumConfiguration(dataDirectory: directory.path)
        configuration.port = 0
        configuration.settings["catalog.seed"] = try Options.seedCatalog(arguments).path
        configuration.logLevel = try Options.logLevel(arguments, default: .warning)
        defer { try? FileManager.default.removeItem(at: directory) }
        Console.out("starting an in-process emporium in \(directory.path) ...")
        let started = ContinuousClock.now
        let system = try await Emporium.start(configuration)
        do {
            try await waitForSearch(system, timeout: .seconds(deadline))
            let elapsed = ContinuousClock.now - started
            Console.out(
                "ready at \(system.baseURL) after \(String(format: "%.1f", elapsed / .seconds(1))) s"
            )
            let code = try await walk(host: "127.0.0.1", port: system.port)
            await system.stop()
            return code
        } catch {
            await system.stop()
            throw error
        }
    }

    private static func walk(host: String, port: Int) async throws -> ExitCode {
        let journey = try ShopperJourney(host: host, port: port)
        try await journey.connect()
        let succeeded = await journey.run()
        let total = journey.passed + journey.failed
        Console.out("\(journey.passed) of \(total) steps as expected")
        return succeeded ? .success : .failure
    }

    /// Waits until every event is handled and search finds a word of the first product's name.
    private static func waitForSearch(_ system: Emporium, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        try await system.waitUntilSettled(timeout: timeout)
        guard let product = try await CatalogClient(client: system.client).products(ProductQuery(limit: 1)).products.first,
            let word = ShopperJourney.searchWord(in: product.name)
        else { return }
        while try await SearchClient(client: system.client).search(SearchQuery(text: word, limit: 1)).hits.isEmpty {
            guard ContinuousClock.now < deadline else { throw CLIError(.failure, "search found nothing for '\(word)' after \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The numeric address and port of an `http://` URL; names are resolved to IPv4.
    static func address(of text: String) -> (host: String, port: Int)? {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let name = url.host, !name.isEmpty else { return nil }
        let port = url.port ?? 80
        let bare = name.hasPrefix("[") ? String(name.dropFirst().dropLast()) : name
        var probe = in6_addr()
        if bare.contains(":"), inet_pton(AF_INET6, bare, &probe) == 1 { return (bare, port) }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(results) }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        let converted = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
            var ip = address.pointee.sin_addr
            return inet_ntop(AF_INET, &ip, &buffer, socklen_t(buffer.count)) != nil
        }
        guard converted else { return nil }
        return (String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port)
    }
}
