import Foundation
import TestSupport
import Testing

extension WholeSystem {
    /// `Docs/embedding.md` shows a program that compiles and works: its code is `Sources/EmbeddingExample/main.swift`
    /// (built with the tests), and running it gives what the page says.
    @Suite struct EmbeddingExampleTests {
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        @Test func thePageShowsTheExampleThatIsBuilt() throws {
            let page = try String(contentsOf: Self.root.appendingPathComponent("Docs/embedding.md"), encoding: .utf8)
            let source = try String(contentsOf: Self.root.appendingPathComponent("Sources/EmbeddingExample/main.swift"), encoding: .utf8)
            let block = try #require(page.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
            #expect(block == source, "Docs/embedding.md's first swift block must be Sources/EmbeddingExample/main.swift")
        }

        @Test func theExampleRuns() async throws {
            let example = try await ChildProcess(executable: try ChildProcess.builtExecutable("EmbeddingExample"), arguments: [])
            let output = try await example.readToEnd(within: .seconds(60))
            #expect(try await example.waitForExit(within: .seconds(10)) == 0, "\(output)")
            #expect(output.contains("20 categories"), "\(output)")
            #expect(output.contains("registered embedder@example.com as customer"), "\(output)")
            #expect(output.range(of: #"search 'lamp': [1-9][0-9]* hits"#, options: .regularExpression) != nil, "\(output)")
        }
    }
}
