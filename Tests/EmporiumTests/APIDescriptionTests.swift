import Emporium
import Foundation
import Gateway
import Telemetry
import Testing

/// `Docs/openapi.yaml` describes exactly the routes the gateway serves: none missing, none invented.
@Suite struct APIDescriptionTests {
    @Test func theOpenAPIDocumentListsEveryRouteAndNoOther() async throws {
        var configuration = EmporiumConfiguration(dataDirectory: nil)
        configuration.serveHTTP = false
        configuration.logLevel = .critical
        let system = try await Emporium.start(configuration)
        let served = Set(system.routes.map { "\($0.method) \($0.pattern)" })
        await system.stop()

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
        let described = Self.operations(in: document)
        // The gateway's own probes are described too, but are not declared routes.
        let operational: Set = ["GET /health", "GET /ready", "GET /metrics"]
        #expect(served.subtracting(described).sorted() == [], "routes missing from Docs/openapi.yaml")
        #expect(described.subtracting(served).subtracting(operational).sorted() == [], "operations the gateway does not serve")
    }

    /// `METHOD /path` for each operation under `paths:` (two-space indented paths, four-space indented methods).
    static func operations(in document: String) -> Set<String> {
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        var result: Set<String> = []
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { result.insert("\(method.uppercased()) \(path)") }
            }
        }
        return result
    }
}
